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
 * An inert code span for any text: line breaks and control characters folded to spaces, length
 * capped, delimited by more backticks than any run inside it. It is never read as HTML, a mention
 * or Markdown. A delimiter of three or more backticks would open a code fence when the span
 * starts a line, so text with a run of two or more backticks has its backticks shown as `ˋ`
 * (U+02CB) and is delimited by one.
 */
export function literal(text: string, max = 200): string {
  let t = "";
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    // C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
    t += c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029 ? " " : ch;
  }
  t = t.replace(/ {2,}/g, " ").trim();
  if (t.length > max) t = `${t.slice(0, max - 1)}…`;
  if (t === "") return "` `";
  if (longestRun(t, "`") >= 2) t = t.replace(/`/g, "\u02cb");
  const ticks = "`".repeat(longestRun(t, "`") + 1);
  const pad = t.startsWith("`") || t.endsWith("`") ? " " : "";
  return `${ticks}${pad}${t}${pad}${ticks}`;
}
