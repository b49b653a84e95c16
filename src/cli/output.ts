/**
 * Terminal niceties and CI output: colour only on a terminal and never with NO_COLOR, a progress
 * line for long scans on a terminal, and GitHub Actions workflow commands (`--format github`).
 */
import type { CodeFinding } from "../diagnosis/types.js";
import { plain } from "../report/markdown.js";

export interface Stream {
  isTTY?: boolean;
  write(s: string): unknown;
}

/** Colour on a terminal unless NO_COLOR is set (non-empty) or TERM is dumb; FORCE_COLOR forces it. */
export function colourFor(stream: Stream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "" && env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true && env.TERM !== "dumb";
}

export type Paint = (code: "bold" | "dim" | "red" | "yellow" | "cyan", s: string) => string;

const CODES = { bold: [1, 22], dim: [2, 22], red: [31, 39], yellow: [33, 39], cyan: [36, 39] } as const;

export function painter(on: boolean): Paint {
  return on ? (code, s) => `\u001b[${CODES[code][0]}m${s}\u001b[${CODES[code][1]}m` : (_code, s) => s;
}

/** Scan findings for a terminal, one line each, then the count. */
export function scanText(findings: CodeFinding[], files: number, parsed: number, paint: Paint): string {
  const out = findings.map(
    (f) =>
      `${paint("cyan", `${f.file}:${f.line}:${f.column}`)}: ${paint(
        f.confidence === "high" ? "red" : "yellow",
        paint("bold", f.rule),
      )} ${paint("dim", `(${f.confidence})`)} ${plain(f.message)}`,
  );
  out.push(`${findings.length} finding(s) in ${files} file(s), ${parsed} parsed`);
  return out.join("\n");
}

/** Workflow-command escaping: data (`%`, CR, LF) and properties (also `:` and `,`). */
const escapeData = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");

/** One `::warning` (high) or `::notice` (medium) annotation per finding. */
export function githubAnnotations(findings: CodeFinding[]): string {
  return findings
    .map((f) => {
      const props = [
        `file=${escapeProperty(f.file.replace(/\\/g, "/").replace(/^\.\//, ""))}`,
        `line=${f.line}`,
        `endLine=${f.endLine}`,
        `col=${f.column}`,
        `endColumn=${f.endColumn}`,
        `title=${escapeProperty(f.rule)}`,
      ].join(",");
      return `::${f.confidence === "high" ? "warning" : "notice"} ${props}::${escapeData(plain(f.message))}`;
    })
    .join("\n");
}

/** A progress line on a terminal's stderr once a scan has taken a second; cleared at the end. */
export function progress(stream: Stream, now: () => number = () => performance.now()) {
  const start = now();
  let last = 0;
  let shown = false;
  return {
    update(files: number, bytes: number): void {
      if (stream.isTTY !== true) return;
      const t = now();
      if (t - start < 1000 || t - last < 100) return;
      last = t;
      shown = true;
      stream.write(`\r\u001b[Kscanning: ${files} file(s), ${(bytes / 1024 / 1024).toFixed(1)} MiB read`);
    },
    done(): void {
      if (shown) stream.write("\r\u001b[K");
    },
  };
}
