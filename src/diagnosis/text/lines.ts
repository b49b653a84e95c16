/**
 * Line-level helpers for issue text. Everything here is linear in the input and uses no
 * regular expression that can backtrack over a whole line.
 */

/** Split text into lines, accepting \n, \r\n and \r. */
export function splitLines(text: string): string[] {
  // A plain split is several times faster than the regular expression; most texts have no \r.
  return text.includes("\r") ? text.split(/\r\n|\r|\n/) : text.split("\n");
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Remove the log decoration in front of a line: docker-compose service prefixes (`app_1  | `),
 * ISO timestamps with an optional `source[proc]: ` tag (Heroku), `[...]` groups (gunicorn),
 * markdown quotes, pytest's `E   ` and commented-out lines (`# `).
 * Returns the rest of the line (leading whitespace kept, so indentation survives).
 */
export function stripLogPrefix(line: string): string {
  let s = line;
  for (let guard = 0; guard < 6; guard++) {
    const before = s;
    const t = s.trimStart();
    // docker compose: "name_1   | rest" (name is one token)
    const bar = t.indexOf("|");
    if (bar > 0 && bar < 60) {
      const head = t.slice(0, bar).trimEnd();
      if (head.length > 0 && /^[\w.-]+$/.test(head) && /[_-]\d+$/.test(head)) {
        s = t.slice(bar + 1);
        if (s.startsWith(" ")) s = s.slice(1);
        continue;
      }
    }
    // ISO timestamp "2024-06-10T13:16:50.217688+00:00 app[web.1]: rest"
    if (t.length > 10 && isDigit(t.charCodeAt(0)) && t[4] === "-" && t[7] === "-") {
      let i = 10;
      while (i < t.length && t[i] !== " ") i++;
      let rest = t.slice(i + 1);
      const colon = rest.indexOf(": ");
      const sp = rest.indexOf(" ");
      if (colon > 0 && (sp === -1 || sp > colon) && rest.slice(0, colon).includes("["))
        rest = rest.slice(colon + 2);
      s = rest;
      continue;
    }
    // "[2024-02-18 21:08:17 -0800] [42822] [ERROR] rest"
    if (t.startsWith("[")) {
      const close = t.indexOf("]");
      if (close > 0 && close < 40 && !t.startsWith("[Previous")) {
        s = t.slice(close + 1);
        if (s.startsWith(" ")) s = s.slice(1);
        continue;
      }
    }
    if (t.startsWith("> ") || t === ">") {
      s = t.slice(2);
      continue;
    }
    if (t.startsWith("E   ") || t.startsWith("#   ") || t.startsWith("# ")) {
      s = t.slice(2);
      continue;
    }
    if (s === before) break;
  }
  return s;
}

export interface CodeBlock {
  /** Info string after the fence, lowercased (e.g. "python", "pytb", ""). */
  lang: string;
  /** 0-based index of the first content line in the text. */
  startLine: number;
  lines: string[];
}

/** Code blocks kept from one text (every fence still counts for `inBlock`). */
export const MAX_CODE_BLOCKS = 1000;

/**
 * Find fenced code blocks (``` and ~~~, any length >= 3, closed by a fence of the same
 * character at least as long). An unclosed block runs to the end of the text. At most
 * `MAX_CODE_BLOCKS` are returned; `inBlock` covers every one.
 */
export function findCodeBlocks(lines: string[]): { blocks: CodeBlock[]; inBlock: boolean[] } {
  const blocks: CodeBlock[] = [];
  const inBlock = new Array<boolean>(lines.length).fill(false);
  let open: { ch: string; len: number; block: CodeBlock } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? "";
    const t = raw.trimStart();
    const ch = t[0];
    if (ch === "`" || ch === "~") {
      let n = 0;
      while (t[n] === ch) n++;
      if (n >= 3) {
        if (open === null) {
          const info = t.slice(n).trim().toLowerCase();
          if (!(ch === "`" && info.includes("`"))) {
            const lang = blocks.length < MAX_CODE_BLOCKS ? (info.split(/\s/)[0] ?? "") : "";
            open = { ch, len: n, block: { lang, startLine: i + 1, lines: [] } };
            inBlock[i] = true;
            continue;
          }
        } else if (ch === open.ch && n >= open.len && t.slice(n).trim() === "") {
          if (blocks.length < MAX_CODE_BLOCKS) blocks.push(open.block);
          inBlock[i] = true;
          open = null;
          continue;
        }
      }
    }
    if (open !== null) {
      if (blocks.length < MAX_CODE_BLOCKS) open.block.lines.push(raw);
      inBlock[i] = true;
    }
  }
  if (open !== null && blocks.length < MAX_CODE_BLOCKS) blocks.push(open.block);
  return { blocks, inBlock };
}

/** True when `term` occurs in `hay` starting at a word boundary (both lowercase). */
export function hasWordPrefix(hay: string, term: string): boolean {
  let from = 0;
  for (;;) {
    const i = hay.indexOf(term, from);
    if (i < 0) return false;
    const c = i === 0 ? 32 : hay.charCodeAt(i - 1);
    const alnum = (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90);
    if (!alnum) return true;
    from = i + 1;
  }
}
