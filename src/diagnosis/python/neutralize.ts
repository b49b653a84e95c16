/**
 * Comments out of the parser's way. tree-sitter's Python grammar takes time quadratic in a run of
 * consecutive comment lines (8,000 lines: 17 s). Every comment is replaced by as many spaces
 * (line and column numbers stay), found by a small lexer that knows strings (single, triple,
 * escapes), in one linear pass. Suppression comments are returned for the facts.
 */

export interface Neutralized {
  /** The source with every comment blanked. */
  text: string;
  /** Comments that carry `async-doctor:` (suppressions), with their 1-based line. */
  marked: { line: number; text: string }[];
}

const HASH = 35;
const NL = 10;
const CR = 13;
const BACKSLASH = 92;
const SQ = 39;
const DQ = 34;

export function neutralizeComments(source: string): Neutralized {
  if (!source.includes("#")) return { text: source, marked: [] };
  const parts: string[] = [];
  const marked: Neutralized["marked"] = [];
  let copied = 0;
  let line = 1;
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source.charCodeAt(i);
    if (c === NL || (c === CR && source.charCodeAt(i + 1) !== NL)) {
      line++;
      i++;
      continue;
    }
    if (c === HASH) {
      let end = i;
      while (end < n && source.charCodeAt(end) !== NL && source.charCodeAt(end) !== CR) end++;
      const comment = source.slice(i, end);
      if (comment.includes("async-doctor:")) marked.push({ line, text: comment });
      parts.push(source.slice(copied, i), " ".repeat(end - i));
      copied = end;
      i = end;
      continue;
    }
    if (c === SQ || c === DQ) {
      const triple = source.charCodeAt(i + 1) === c && source.charCodeAt(i + 2) === c;
      i += triple ? 3 : 1;
      while (i < n) {
        const d = source.charCodeAt(i);
        if (d === BACKSLASH) {
          if (source.charCodeAt(i + 1) === NL) line++;
          i += 2;
          continue;
        }
        if (d === NL) {
          line++;
          if (!triple) break; // an unterminated one-line string ends with its line
        }
        if (d === c && (!triple || (source.charCodeAt(i + 1) === c && source.charCodeAt(i + 2) === c))) {
          i += triple ? 3 : 1;
          break;
        }
        i++;
      }
      continue;
    }
    i++;
  }
  if (copied === 0) return { text: source, marked };
  parts.push(source.slice(copied));
  return { text: parts.join(""), marked };
}
