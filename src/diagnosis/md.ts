/** Markdown helpers that make user text safe to show in a GitHub comment. */

/** Longest run of `ch` in s. */
function longestRun(s: string, ch: string): number {
  let best = 0;
  let cur = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === ch) {
      cur++;
      if (cur > best) best = cur;
    } else cur = 0;
  }
  return best;
}

/** A fence of backticks longer than any run inside the text (at least 3). */
export function fenceFor(text: string): string {
  return "`".repeat(Math.max(3, longestRun(text, "`") + 1));
}

/** A fenced code block; its content is never interpreted (no HTML, no mentions). */
export function codeBlock(text: string, lang = ""): string {
  const fence = fenceFor(text);
  return `${fence}${lang}\n${text}\n${fence}`;
}

/** Inline code span safe for any text; newlines folded, length capped. */
export function code(text: string, max = 200): string {
  let t = text.replace(/[\r\n]+/g, " ").trim();
  if (t.length > max) t = `${t.slice(0, max - 1)}…`;
  if (t === "") return "` `";
  const n = longestRun(t, "`") + 1;
  const ticks = "`".repeat(n);
  const pad = t.startsWith("`") || t.endsWith("`") ? " " : "";
  return `${ticks}${pad}${t}${pad}${ticks}`;
}

/** Escape text meant as plain prose: no HTML, no mentions, no Markdown structure. */
export function escapeText(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/@/g, "@\u200b")
    .replace(/([\\`*_[\]#|~!])/g, "\\$1")
    .replace(/[\r\n]+/g, " ");
}
