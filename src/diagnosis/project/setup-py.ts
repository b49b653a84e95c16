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
  // A string literal at `at`: pushed, the lines it spans counted; the index after it.
  const string = (at: number, prefix: string) => {
    const end = readString(text, at, line, prefix, tokens);
    line += countNewlines(tokens[tokens.length - 1]?.text ?? "");
    return end;
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      i++;
    } else if (c === 35) {
      // A comment: to the end of the line.
      while (i < n && text.charCodeAt(i) !== 10) i++;
    } else if (c === 34 || c === 39) {
      i = string(i, "");
    } else if (isNameStart(c)) {
      const start = i;
      while (i < n && isNameChar(text.charCodeAt(i))) i++;
      const name = text.slice(start, i);
      const q = text.charCodeAt(i);
      if ((q === 34 || q === 39) && STRING_PREFIXES.has(name.toLowerCase()))
        i = string(i, name.toLowerCase());
      else tokens.push({ kind: "name", text: name, line });
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
const CLOSE: Record<string, string> = { "[": "]", "(": ")", "{": "}" };

/** What a bracket holds: requirements, a dict of lists of them, one of those lists, or other code. */
type Frame = { close: string; holds: "requirements" | "extras" | "other" };

/**
 * The requirement strings of setup.py's dependency keywords, with their lines, in one pass over
 * the tokens. A list given to a keyword (`install_requires=[...]`), or assigned to the name given
 * to one (`REQUIRES = [...]` and `install_requires=REQUIRES`), holds requirements; so does each
 * list value of a dict given to one (`extras_require={"grpc": [...]}`). An item is a string alone
 * between separators: not part of `+`, `%`, a call or a comprehension.
 */
export function setupPyRequirements(text: string): { text: string; line: number }[] {
  const tokens = tokenize(text);
  // The names given to the keywords, alone (`install_requires=REQUIRES,`).
  const named = new Set<string>();
  for (let i = 0; i + 2 < tokens.length; i++) {
    const t = tokens[i] as Token;
    const v = tokens[i + 2] as Token;
    const after = tokens[i + 3]?.text;
    if (
      t.kind === "name" &&
      KEYWORDS.has(t.text) &&
      tokens[i + 1]?.text === "=" &&
      v.kind === "name" &&
      (after === undefined || after === "," || after === ")")
    )
      named.add(v.text);
  }
  const out: { text: string; line: number }[] = [];
  const stack: Frame[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    const top = stack[stack.length - 1];
    if (t.kind === "op" && CLOSE[t.text] !== undefined) {
      const owner = tokens[i - 1]?.text === "=" ? tokens[i - 2] : undefined;
      const given = owner?.kind === "name" && (KEYWORDS.has(owner.text) || named.has(owner.text));
      let holds: Frame["holds"] = "other";
      if (given) holds = t.text === "[" ? "requirements" : t.text === "{" ? "extras" : "other";
      else if (top?.holds === "extras" && t.text === "[") holds = "requirements";
      stack.push({ close: CLOSE[t.text] as string, holds });
      continue;
    }
    if (t.kind === "op" && t.text === top?.close) {
      stack.pop();
      continue;
    }
    if (t.kind !== "string" || t.computed || top?.holds !== "requirements") continue;
    const before = tokens[i - 1]?.text;
    const next = tokens[i + 1]?.text;
    if ((before === "[" || before === ",") && (next === "," || next === "]"))
      out.push({ text: t.text, line: t.line });
  }
  return out;
}
