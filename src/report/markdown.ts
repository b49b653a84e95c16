/**
 * GitHub Markdown building blocks. User text only ever appears inside code spans (inline.ts)
 * or fenced blocks sized to their content, so it cannot ping anyone, inject HTML or break layout.
 */
import { literal, longestRun } from "../diagnosis/inline.js";
import type { Fix } from "../diagnosis/types.js";

export { literal as code };

/** A fence of backticks longer than any run inside the text (at least 3). */
export function fenceFor(text: string): string {
  return "`".repeat(Math.max(3, longestRun(text, "`") + 1));
}

/** A fenced code block; its content is never interpreted (no HTML, no mentions). */
export function codeBlock(text: string, lang = ""): string {
  const fence = fenceFor(text);
  return `${fence}${lang}\n${text}\n${fence}`;
}

/** A suggestion block replacing exactly the commented lines. */
export function suggestionBlock(text: string): string {
  const fence = fenceFor(text);
  return `${fence}suggestion\n${text}\n${fence}`;
}

/** A collapsed section. `summary` is our words; `body` is Markdown built here. */
export function details(summary: string, body: string): string {
  return `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

/** A fix as Markdown: bold lead, text, and its example as a Python block. */
export function fixMarkdown(fix: Fix): string {
  let s = fix.title ? `**${fix.title}**${/^[,.;:]/.test(fix.text) ? "" : " "}${fix.text}` : fix.text;
  if (fix.code) s += `\n\n${codeBlock(fix.code, "python")}`;
  return s;
}

/** Inline text as plain text (a terminal): code-span backticks dropped. */
export function plain(text: string): string {
  return text.replace(/`+/g, "");
}
