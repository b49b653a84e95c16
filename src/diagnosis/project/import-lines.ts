/**
 * The import statements of a Python source, read line by line without a parse: linear in the
 * input, bounded, skipping triple-quoted strings. Good enough to follow imports between a
 * project's modules; never the anchor of a finding.
 */

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

/** Where triple-quoted strings open and close on a line: the state after the line. */
function stringStateAfter(line: string, open: string | null): string | null {
  let state = open;
  let i = 0;
  while (i < line.length) {
    if (state === null) {
      const hash = line.indexOf("#", i);
      const d = line.indexOf('"""', i);
      const s = line.indexOf("'''", i);
      const next = d < 0 ? s : s < 0 ? d : Math.min(d, s);
      if (next < 0 || (hash >= 0 && hash < next)) return null;
      state = line.startsWith('"""', next) ? '"""' : "'''";
      i = next + 3;
    } else {
      const end = line.indexOf(state, i);
      if (end < 0) return state;
      state = null;
      i = end + 3;
    }
  }
  return state;
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

/**
 * The import statements of a Python source, skipping triple-quoted strings. Parenthesised and
 * backslash-continued statements are joined (up to a bound).
 */
export function readImportLines(source: string): ImportLine[] {
  const lines = source.split("\n");
  const out: ImportLine[] = [];
  let inString: string | null = null;
  for (let i = 0; i < lines.length && out.length < MAX_IMPORT_LINES; i++) {
    const raw = lines[i] ?? "";
    if (inString !== null) {
      inString = stringStateAfter(raw, inString);
      continue;
    }
    const trimmed = raw.trimStart();
    const isImport = trimmed.startsWith("import ") || trimmed.startsWith("from ");
    if (!isImport) {
      inString = stringStateAfter(raw, null);
      continue;
    }
    const first = raw.trim().replace(/\r$/, "");
    let stmt = code(raw);
    let j = i;
    // Join `(...)` and `\` continuations.
    while (j - i < MAX_CONTINUATION && j + 1 < lines.length) {
      const open = stmt.includes("(") && !stmt.includes(")");
      const backslash = stmt.endsWith("\\");
      if (!open && !backslash) break;
      j++;
      stmt = `${backslash ? stmt.slice(0, -1) : stmt} ${code(lines[j] ?? "")}`;
    }
    const topLevel = raw.length > 0 && raw[0] !== " " && raw[0] !== "\t";
    for (const s of stmt.split(";")) {
      const part = s.trim();
      if (part.startsWith("import ") || part.startsWith("from "))
        out.push(...parseImport(part, i + 1, first, topLevel));
    }
    i = j;
  }
  return out;
}
