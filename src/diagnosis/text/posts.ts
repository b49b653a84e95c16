/**
 * A thread as plain text may carry post headers, one line each: `login · description · 2024-10-26`
 * or `login · comment · 2024-10-27` (the export format of issue threads). Splitting on them tells
 * whose words are whose, so a maintainer's answer is not taken as the reporter's evidence.
 */

export interface Post {
  /** The author's login, or null for text before any header (or a text without headers). */
  author: string | null;
  kind: "description" | "comment" | null;
  text: string;
}

const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;
const DATE = /^\d{4}-\d{2}-\d{2}/;

/** The header a line is, or null. */
export function postHeader(line: string): { author: string; kind: "description" | "comment" } | null {
  if (line.length > 120 || !line.includes(" · ")) return null;
  const parts = line.trim().split(" · ");
  if (parts.length !== 3) return null;
  const [author = "", kind = "", date = ""] = parts;
  if ((kind !== "description" && kind !== "comment") || !LOGIN.test(author) || !DATE.test(date)) return null;
  return { author, kind };
}

export function splitPosts(text: string): Post[] {
  const lines = text.split("\n");
  const posts: Post[] = [];
  let cur: Post = { author: null, kind: null, text: "" };
  const parts: string[] = [];
  const flush = () => {
    cur.text = parts.join("\n");
    if (cur.author !== null || cur.text.trim() !== "") posts.push(cur);
    parts.length = 0;
  };
  for (const line of lines) {
    const h = postHeader(line);
    if (h) {
      flush();
      cur = { author: h.author, kind: h.kind, text: "" };
    }
    parts.push(line);
  }
  flush();
  return posts;
}
