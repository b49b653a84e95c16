/**
 * Package versions read from an issue text (pins, pip list / pip show, prose), the trio version
 * inferred from a traceback line number, and version comparison. Linear, token based.
 */
import type { Traceback } from "./traceback.js";

/** Packages whose versions matter to some explanation (normalised: lowercase, `_` -> `-`). */
export const KNOWN_PACKAGES = new Set([
  "trio",
  "gevent",
  "eventlet",
  "greenlet",
  "httpx",
  "httpcore",
  "anyio",
  "grpcio",
  "psycopg",
  "psycopg2",
  "psycopg2-binary",
  "psycopg-c",
  "mysql-connector-python",
  "mysqlclient",
  "pymysql",
  "gunicorn",
  "celery",
  "dnspython",
  "locust",
  "locust-plugins",
  "pyee",
  "uvicorn",
  "python",
  "cpython",
]);

export interface VersionFact {
  version: string;
  /** Where we read it: "stated" (text) or "inferred" (trio line number). */
  source: "stated" | "inferred";
  textLine: number;
}

function normPkg(name: string): string {
  return name.toLowerCase().replace(/_/g, "-");
}

const VERSION_START = /^v?\d+(\.\d+)+[a-z0-9.+-]*$/i;

function cleanVersion(tok: string): string | null {
  const t = tok.replace(/^[(`'"[]+|[)`'",;\]]+$/g, "");
  const v = t.replace(/\.+$/, "");
  if (v.length > 40 || !VERSION_START.test(v)) return null;
  return v.startsWith("v") || v.startsWith("V") ? v.slice(1) : v;
}

const PUNCT = new Set(["`", "'", '"', "(", ")", ":", ",", ";", "[", "]", "*"]);

/** Trim quote/bracket punctuation from both ends without a regex. */
function stripPunct(tok: string): string {
  let a = 0;
  let b = tok.length;
  while (a < b && PUNCT.has(tok[a] ?? "")) a++;
  while (b > a && PUNCT.has(tok[b - 1] ?? "")) b--;
  return tok.slice(a, b);
}

/** Lines worth tokenising hold a version-looking number and a pin or a known package name. */
const HAS_VERSION = /\d\.\d/;
const VERSION_LINE = new RegExp(
  `==|${[...KNOWN_PACKAGES].map((p) => p.replace(/-/g, "[-_]")).join("|")}`,
  "i",
);

/**
 * Lines that quote someone else's words: a warning or error message (gevent's own warning says
 * "RecursionError on Python 3.6") or a Markdown quote (often a maintainer's answer). Versions in
 * them are not the reporter's.
 */
export function quotedMessage(line: string): boolean {
  const t = line.trimStart();
  if (t.startsWith(">") && !t.startsWith(">>>")) return true;
  // `Warning: ...`, `Error: ...`, or a line naming one (`RecursionError on Python 3.6`).
  return /(warning|error|exception):\s/i.test(t) || /[a-z](Error|Warning|Exception)\b/.test(t);
}

/** Read `name==1.2.3`, `name 1.2.3`, `name: 1.2.3`, `name version: 1.2.3`, `Name: x / Version: y`. */
export function readVersions(lines: readonly string[]): Map<string, VersionFact> {
  const out = new Map<string, VersionFact>();
  const put = (pkg: string, version: string, textLine: number) => {
    const key = normPkg(pkg);
    if (!KNOWN_PACKAGES.has(key)) return;
    const k = key === "cpython" ? "python" : key === "psycopg2-binary" ? "psycopg2" : key;
    if (!out.has(k)) out.set(k, { version, source: "stated", textLine });
  };
  let pipShowName: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line.length > 4000) continue;
    const trimmed = line.trim();
    if (trimmed.startsWith("Name: ")) pipShowName = trimmed.slice(6).trim();
    else if (trimmed.startsWith("Version: ") && pipShowName !== null) {
      const v = cleanVersion(trimmed.slice(9).trim());
      if (v) put(pipShowName, v, i + 1);
      pipShowName = null;
    }
    // The cheap tests first; a quoted message is checked only on a line that could hold a version.
    if (!HAS_VERSION.test(trimmed) || !VERSION_LINE.test(trimmed) || quotedMessage(trimmed)) continue;
    const toks = trimmed.split(/\s+/);
    for (let j = 0; j < toks.length; j++) {
      const tok = toks[j] ?? "";
      if (tok.length < 4 || tok.length > 60) continue;
      const eq = tok.indexOf("==");
      if (eq > 0) {
        const v = cleanVersion(tok.slice(eq + 2));
        const name = stripPunct(tok.slice(0, eq));
        const bracket = name.indexOf("[");
        if (v) put(bracket >= 0 ? name.slice(0, bracket) : name, v, i + 1);
        continue;
      }
      const name = stripPunct(tok);
      if (!KNOWN_PACKAGES.has(normPkg(name))) continue;
      // Look at the next few tokens for a version: "gevent version: 1.2.1", "locust   2.16.1".
      for (let k = j + 1; k < Math.min(toks.length, j + 4); k++) {
        const nt = toks[k] ?? "";
        const lw = nt.toLowerCase();
        if (lw === "version" || lw === "version:" || lw === ":" || lw === "=" || lw === "-" || lw === "v")
          continue;
        const v = cleanVersion(nt);
        if (v) put(name, v, i + 1);
        break;
      }
    }
  }
  return out;
}

/**
 * trio version from the line number of `raise NotImplementedError` in trio/_core/_run.py, per
 * release (read from each release's source; 0.22.0 → 2458 and 0.34.0 → 3131 are also what the lab
 * observed). 0.31 and 0.34 both raise on line 3131: the version says so.
 */
const TRIO_RUN_LINES: Record<number, string> = {
  2458: "0.22.0",
  2540: "0.22.1",
  2548: "0.22.2",
  2775: "0.23.0/0.23.1",
  2788: "0.23.2",
  2800: "0.24.0",
  2822: "0.25.0",
  2840: "0.25.1",
  2843: "0.26.0",
  2844: "0.26.1/0.26.2",
  2950: "0.27.0",
  2963: "0.28.x",
  2987: "0.29.x",
  2999: "0.30.x",
  3131: "0.31.x/0.34.x",
  3133: "0.32.x",
  3140: "0.33.x",
};

export function inferTrioVersion(tracebacks: readonly Traceback[]): VersionFact | null {
  for (const tb of tracebacks) {
    for (const f of tb.frames) {
      if (f.module === "trio._core._run" && f.line !== null) {
        const v = TRIO_RUN_LINES[f.line];
        if (v !== undefined) return { version: v, source: "inferred", textLine: f.textLine };
      }
    }
  }
  return null;
}

/** Compare dotted versions numerically on their leading numeric parts. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[./]/).map((x) => Number.parseInt(x, 10));
  const pb = b.split(/[./]/).map((x) => Number.parseInt(x, 10));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = Number.isNaN(pa[i] ?? 0) ? 0 : (pa[i] ?? 0);
    const y = Number.isNaN(pb[i] ?? 0) ? 0 : (pb[i] ?? 0);
    if (x !== y) return x - y;
  }
  return 0;
}

/** The version of `pkg` the text states or implies, or null. */
export function versionOf(
  t: { context: { versions: Map<string, VersionFact> } },
  pkg: string,
): string | null {
  return t.context.versions.get(pkg)?.version ?? null;
}

/** Is version v within [lo, hi] (inclusive, either bound optional)? Null when v unknown. */
export function inRange(v: string | null, lo: string | null, hi: string | null): boolean | null {
  if (v === null || !/^\d/.test(v)) return null;
  if (lo !== null && compareVersions(v, lo) < 0) return false;
  if (hi !== null && compareVersions(v, hi) > 0) return false;
  return true;
}
