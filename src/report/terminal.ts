/** Plain text for a terminal: issue findings and scan findings. */
import type { CodeFinding, IssueFinding } from "../diagnosis/types.js";
import { plain } from "./markdown.js";

export function renderIssueText(findings: IssueFinding[]): string {
  const out: string[] = [];
  for (const f of findings) {
    out.push(`${f.rule} (${f.confidence}): ${f.message}`);
    for (const e of f.evidence)
      out.push(`  evidence${e.line !== undefined ? ` (line ${e.line})` : ""}: ${e.text.slice(0, 200)}`);
    out.push(`  ${plain(f.explanation.summary)}`);
    // The fixes, best first, as the comment gives them (code indented under their line).
    f.explanation.fixes.forEach((fix, i) => {
      const text = plain(fix.text);
      const lead = fix.title ? `${plain(fix.title)}${/^[,;:.]/.test(text) ? "" : " "}` : "";
      out.push(`  ${i === 0 ? "fix" : "or"}: ${lead}${text}`);
      if (fix.code) for (const line of fix.code.split("\n")) out.push(`      ${line}`);
    });
  }
  return out.join("\n");
}

/** Colours for a terminal (identity when colour is off). */
export type Paint = (code: "bold" | "dim" | "red" | "yellow" | "cyan", s: string) => string;

const noPaint: Paint = (_code, s) => s;

/** Scan findings for a terminal, one line each, then the count. */
export function renderScanText(
  findings: CodeFinding[],
  files: number,
  parsed: number,
  paint: Paint = noPaint,
): string {
  const out = findings.map(
    (f) =>
      `${paint("cyan", `${f.file}:${f.line}:${f.column}`)}: ${paint(
        f.confidence === "high" ? "red" : "yellow",
        paint("bold", f.rule),
      )} ${paint("dim", `(${f.confidence})`)} ${plain(f.message)}`,
  );
  out.push(scanSummary(findings.length, files, parsed));
  return out.join("\n");
}

/** `n` and a noun, in the plural unless `n` is 1: "1 finding", "3 files". */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** The line under a scan: what was found, and how many files were scanned and parsed. */
export function scanSummary(findings: number, files: number, parsed?: number): string {
  const scanned = `${count(files, "file")} scanned${parsed === undefined ? "" : `, ${parsed} parsed`}`;
  return `${findings === 0 ? "no findings" : count(findings, "finding")}; ${scanned}`;
}

/** Workflow-command escaping: data (`%`, CR, LF) and properties (also `:` and `,`). */
const escapeData = (s: string) => s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");

/** GitHub Actions workflow commands: one `::warning` (high) or `::notice` (medium) per finding. */
export function renderWorkflowCommands(findings: CodeFinding[]): string {
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
