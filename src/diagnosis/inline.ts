/** Inline text helpers: the one way a value taken from the input enters our sentences. */

/** Longest run of `ch` in s. */
export function longestRun(s: string, ch: string): number {
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

/**
 * An inert code span for any text: newlines folded, length capped, delimited by more
 * backticks than any run inside it. It is never read as HTML, a mention or Markdown.
 */
export function literal(text: string, max = 200): string {
  let t = text.replace(/[\r\n]+/g, " ").trim();
  if (t.length > max) t = `${t.slice(0, max - 1)}…`;
  if (t === "") return "` `";
  const ticks = "`".repeat(longestRun(t, "`") + 1);
  const pad = t.startsWith("`") || t.endsWith("`") ? " " : "";
  return `${ticks}${pad}${t}${pad}${ticks}`;
}
