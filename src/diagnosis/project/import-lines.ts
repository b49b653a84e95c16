/**
 * The import statements of a Python source, read line by line without a parse: linear in the
 * input, bounded, skipping triple-quoted strings. Good enough to follow imports between a
 * project's modules; never the anchor of a finding.
 */
import { append } from "../append.js";

/** One import statement as written, per module it names. */
export interface ImportLine {
  /** 1-based line of the statement's first line. */
  line: number;
  /** The statement's first line, trimmed. */
  text: string;
  /** Leading dots of a `from` import (0: absolute). */
  level: number;
  /** Dotted module after the dots ("" for `from . import x`). */
  module: string;
  /** Names of a `from` import (`*` included); empty for `import a.b`. */
  names: string[];
  /** At column 0: a module-level import that runs unconditionally when the module loads. */
  topLevel: boolean;
}

const MAX_IMPORT_LINES = 5000;
const MAX_CONTINUATION = 200;
/** Longer lines are cut (no import needs more); a joined statement stops growing past this. */
const MAX_LINE = 4096;
const MAX_STATEMENT = 16_384;

function isIdentifier(s: string): boolean {
  if (s.length === 0 || s.length > 128) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 127;
    if (!letter && !(i > 0 && c >= 48 && c <= 57)) return false;
  }
  return true;
}

function isDotted(s: string): boolean {
  return s.split(".").every(isIdentifier);
}

/** Text before a `#` comment (quotes are not tracked: import lines have none). */
function code(line: string): string {
  const hash = line.indexOf("#");
  return (hash < 0 ? line : line.slice(0, hash)).trim();
}

function parseImport(stmt: string, line: number, first: string, topLevel: boolean): ImportLine[] {
  const out: ImportLine[] = [];
  if (stmt.startsWith("import ")) {
    for (const part of stmt.slice(7).split(",")) {
      // `name` or `name as alias`; anything else is not Python (prose, a broken line).
      const words = part.trim().split(/\s+/);
      const name = words[0] ?? "";
      const shape =
        words.length === 1 || (words.length === 3 && words[1] === "as" && isIdentifier(words[2] ?? ""));
      if (shape && isDotted(name))
        out.push({ line, text: first, level: 0, module: name, names: [], topLevel });
    }
    return out;
  }
  // from <dots><module> import <names>
  const at = stmt.indexOf(" import ");
  if (at < 0) return out;
  const from = stmt.slice(5, at).trim();
  let level = 0;
  while (level < from.length && from[level] === ".") level++;
  const module = from.slice(level).trim();
  if (module !== "" && !isDotted(module)) return out;
  if (level === 0 && module === "") return out;
  const names = stmt
    .slice(at + 8)
    .replace(/[()]/g, " ")
    .split(",")
    .map((n) => n.trim().split(/\s+/)[0] ?? "")
    .filter((n) => n === "*" || isIdentifier(n));
  out.push({ line, text: first, level, module, names, topLevel });
  return out;
}

const NL = 0x0a;
const HASH = 0x23;

/** Does a `#` precede `at` on its line (the triple quote there is inside a comment)? */
function commented(buf: Buffer, at: number): boolean {
  const start = buf.lastIndexOf(NL, at) + 1;
  const hash = buf.indexOf(HASH, start);
  return hash >= 0 && hash < at;
}

/**
 * The import statements of a Python source, skipping triple-quoted strings. Parenthesised and
 * backslash-continued statements are joined (up to a bound). Works on the bytes and jumps from
 * one `import`/triple quote to the next with the native search: only the lines that hold an
 * import are decoded.
 */
export function readImportLines(source: string | Uint8Array): ImportLine[] {
  const buf =
    typeof source === "string"
      ? Buffer.from(source)
      : Buffer.from(source.buffer, source.byteOffset, source.byteLength);
  const out: ImportLine[] = [];
  const len = buf.length;
  let pos = 0;
  // Line numbers: newlines counted up to `counted`.
  let counted = 0;
  let line = 1;
  const lineAt = (at: number) => {
    for (let i = counted; i < at; i++) if (buf[i] === NL) line++;
    counted = at;
    return line;
  };
  let nextImport = -2;
  let nextD = -2;
  let nextS = -2;
  while (pos < len && out.length < MAX_IMPORT_LINES) {
    if (nextImport !== -1 && nextImport < pos) nextImport = buf.indexOf("import", pos);
    if (nextD !== -1 && nextD < pos) nextD = buf.indexOf('"""', pos);
    if (nextS !== -1 && nextS < pos) nextS = buf.indexOf("'''", pos);
    if (nextImport < 0) break; // no import left: strings no longer matter
    const quote = nextD < 0 ? nextS : nextS < 0 ? nextD : Math.min(nextD, nextS);
    if (quote >= 0 && quote < nextImport) {
      pos = quote + 3;
      if (commented(buf, quote)) continue;
      const end = buf.indexOf(quote === nextD ? '"""' : "'''", pos);
      if (end < 0) break; // an unterminated string runs to the end
      pos = end + 3;
      continue;
    }
    const start = buf.lastIndexOf(NL, nextImport) + 1;
    let lineEnd = buf.indexOf(NL, nextImport);
    if (lineEnd < 0) lineEnd = len;
    pos = lineEnd + 1;
    if (lineEnd - start > MAX_LINE) continue; // no import is written on such a line
    const raw = buf.toString("utf8", start, lineEnd).replace(/\r$/, "");
    const trimmed = raw.trimStart();
    if (!trimmed.startsWith("import ") && !trimmed.startsWith("from ")) continue;
    const first = raw.trim();
    let stmt = code(raw);
    // Join `(...)` and `\` continuations.
    let complete = true;
    for (let k = 0; pos < len; k++) {
      const open = stmt.includes("(") && !stmt.includes(")");
      const backslash = stmt.endsWith("\\");
      if (!open && !backslash) break;
      let end = buf.indexOf(NL, pos);
      if (end < 0) end = len;
      if (k >= MAX_CONTINUATION || end - pos > MAX_LINE || stmt.length > MAX_STATEMENT) {
        complete = false; // not an import anyone writes: drop it
        break;
      }
      stmt = `${backslash ? stmt.slice(0, -1) : stmt} ${code(buf.toString("utf8", pos, end))}`;
      pos = end + 1;
    }
    if (!complete) continue;
    const topLevel = raw.length > 0 && raw[0] !== " " && raw[0] !== "\t";
    const at = lineAt(start);
    for (const part of stmt.split(";")) {
      const p = part.trim();
      if (p.startsWith("import ") || p.startsWith("from ")) append(out, parseImport(p, at, first, topLevel));
    }
  }
  return out;
}
