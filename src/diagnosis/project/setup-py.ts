/**
 * setup.py's `install_requires` and `extras_require`, read without running it: the string
 * literals of the list (or the dict of lists) given to the keyword, or of the one assigned to the
 * name given to it (`install_requires=REQUIRES` with `REQUIRES = [...]` in the file). What is
 * computed (a file read, a comprehension, a concatenation, an f-string) is not read: a
 * requirements file read that way is read as a manifest of its own anyway. One pass over the
 * characters to tokens, then one over the tokens.
 */

/** A setup.py larger than this is not read (they are a few KiB). */
export const MAX_SETUP_PY_BYTES = 512 * 1024;

interface Token {
  kind: "name" | "string" | "op";
  text: string;
  line: number;
  /** A string whose value is not a literal (an f-string, a byte string, triple-quoted text). */
  computed?: boolean;
}

const isNameStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isNameChar = (c: number) => isNameStart(c) || (c >= 48 && c <= 57);
const STRING_PREFIXES = new Set(["r", "u", "b", "f", "br", "rb", "fr", "rf"]);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      i++;
    } else if (c === 35) {
      // A comment: to the end of the line.
      while (i < n && text.charCodeAt(i) !== 10) i++;
    } else if (c === 34 || c === 39) {
      i = readString(text, i, line, "", tokens);
      line += countNewlines(tokens[tokens.length - 1]?.text ?? "");
    } else if (isNameStart(c)) {
      const start = i;
      while (i < n && isNameChar(text.charCodeAt(i))) i++;
      const name = text.slice(start, i);
      const q = text.charCodeAt(i);
      if ((q === 34 || q === 39) && STRING_PREFIXES.has(name.toLowerCase())) {
        i = readString(text, i, line, name.toLowerCase(), tokens);
        line += countNewlines(tokens[tokens.length - 1]?.text ?? "");
      } else tokens.push({ kind: "name", text: name, line });
    } else if (c === 61 && text.charCodeAt(i + 1) === 61) {
      tokens.push({ kind: "op", text: "==", line });
      i += 2;
    } else if (c === 32 || c === 9 || c === 13 || c === 92) {
      i++; // blanks, and a backslash continuing a line
    } else {
      tokens.push({ kind: "op", text: text[i] as string, line });
      i++;
    }
  }
  return tokens;
}

function countNewlines(s: string): number {
  let k = 0;
  for (let j = s.indexOf("\n"); j >= 0; j = s.indexOf("\n", j + 1)) k++;
  return k;
}

/**
 * A string literal at `start` (its quote); pushes it and returns the index after it. The token's
 * text is the raw body (newlines kept, so the caller can count them); `computed` when it is not
 * a plain literal.
 */
function readString(text: string, start: number, line: number, prefix: string, tokens: Token[]): number {
  const quote = text[start] as string;
  const triple = text.startsWith(quote.repeat(3), start);
  const close = triple ? quote.repeat(3) : quote;
  let i = start + close.length;
  let body = "";
  let from = i;
  while (i < text.length) {
    const ch = text[i];
    if (ch === "\\" && !prefix.includes("r")) {
      body += text.slice(from, i);
      body += text[i + 1] ?? "";
      i += 2;
      from = i;
      continue;
    }
    if (!triple && ch === "\n") break; // unterminated: the line ends it
    if (text.startsWith(close, i)) break;
    i++;
  }
  body += text.slice(from, i);
  const computed = triple || prefix.includes("f") || prefix.includes("b");
  tokens.push({ kind: "string", text: body, line, ...(computed ? { computed } : {}) });
  return text.startsWith(close, i) ? i + close.length : i;
}

const KEYWORDS = new Set(["install_requires", "extras_require"]);
const OPEN: Record<string, string> = { "[": "]", "(": ")", "{": "}" };

/**
 * The requirement strings of setup.py's dependency keywords, with their lines. `depth` of a list
 * item: 1 inside `install_requires`'s list, 2 inside a list that is a value of `extras_require`'s
 * dict. An item is a string alone between separators (not part of `+`, `%` or a call).
 */
export function setupPyRequirements(text: string): { text: string; line: number }[] {
  const tokens = tokenize(text);
  const out: { text: string; line: number }[] = [];
  const read = new Set<number>();
  const assigned = new Map<string, number>();
  for (let i = 0; i + 2 < tokens.length; i++) {
    const a = tokens[i] as Token;
    const b = tokens[i + 1] as Token;
    const c = tokens[i + 2] as Token;
    if (a.kind === "name" && b.text === "=" && (c.text === "[" || c.text === "{") && !assigned.has(a.text))
      assigned.set(a.text, i + 2);
  }
  const readValue = (at: number) => {
    if (read.has(at)) return;
    read.add(at);
    const open = tokens[at]?.text;
    if (open === "[") items(tokens, at, 1, out);
    else if (open === "{") items(tokens, at, 2, out);
  };
  for (let i = 0; i + 2 < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.kind !== "name" || !KEYWORDS.has(t.text) || tokens[i + 1]?.text !== "=") continue;
    const v = tokens[i + 2] as Token;
    if (v.kind === "op") readValue(i + 2);
    else if (v.kind === "name") {
      // A name alone (`install_requires=REQUIRES,`): the list assigned to it in this file.
      const after = tokens[i + 3]?.text;
      const alone = after === undefined || after === "," || after === ")";
      const target = assigned.get(v.text);
      if (alone && target !== undefined) readValue(target);
    }
  }
  return out;
}

/** The plain string items at `want` depth of the bracketed value opening at `at`. */
function items(tokens: Token[], at: number, want: number, out: { text: string; line: number }[]): void {
  const stack: string[] = [];
  for (let i = at; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.kind === "op" && OPEN[t.text] !== undefined) {
      stack.push(OPEN[t.text] as string);
      continue;
    }
    if (t.kind === "op" && t.text === stack[stack.length - 1]) {
      stack.pop();
      if (stack.length === 0) return;
      continue;
    }
    if (t.kind !== "string" || t.computed || stack.length !== want) continue;
    // Inside a dict, only the values' lists count (keys are at depth 1): `want` 2 and a list.
    if (want === 2 && stack[1] !== "]") continue;
    const before = tokens[i - 1]?.text;
    const next = tokens[i + 1]?.text;
    const separated = (before === "[" || before === ",") && (next === "," || next === "]");
    if (separated) out.push({ text: t.text, line: t.line });
  }
}
