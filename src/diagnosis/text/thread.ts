/**
 * The text the engine reads for an issue thread: the title as a heading, then the body, then
 * comments — bounded. A post longer than 512 KiB is read at its start and end (256 KiB each);
 * the thread is read up to 1 MiB: the title and body first, then the newest comments that fit.
 * What is left out is counted (`unread`) and said in the evidence, never silently dropped.
 */
import { append } from "../append.js";

/** Characters read at the start and at the end of one long post. */
export const POST_EDGE_CHARS = 256 * 1024;
/** Characters read of one thread (or of one text given to the engine). */
export const THREAD_CHARS = 1024 * 1024;
/** GitHub caps titles at 256 characters; anything longer is not a title. */
const TITLE_CHARS = 1024;

export interface BoundedText {
  text: string;
  /** Characters left out. */
  unread: number;
}

/** The line that stands where characters were left out. */
function gap(n: number): string {
  return `\n[${n} characters not read]\n`;
}

/** A text cut to its first and last `edge` characters when longer than twice that. */
export function boundText(text: string, edge = POST_EDGE_CHARS): BoundedText {
  if (text.length <= 2 * edge) return { text, unread: 0 };
  const unread = text.length - 2 * edge;
  return { text: `${text.slice(0, edge)}${gap(unread)}${text.slice(text.length - edge)}`, unread };
}

/** The bounded thread text and how much of the thread it leaves out. */
export function threadOf(
  title: string,
  body: string | null | undefined,
  comments: readonly string[],
): BoundedText {
  let unread = 0;
  const head = boundText(`# ${title.slice(0, TITLE_CHARS)}`);
  const first = boundText(body ?? "");
  unread += Math.max(0, title.length - TITLE_CHARS) + first.unread;
  let left = THREAD_CHARS - head.text.length - first.text.length;
  // The newest comments first (the event's own comment is the last), kept in thread order.
  const kept: string[] = [];
  let i = comments.length - 1;
  for (; i >= 0; i--) {
    const c = boundText(comments[i] ?? "");
    if (c.text.length > left) break;
    left -= c.text.length;
    unread += c.unread;
    kept.push(c.text);
  }
  let older = 0;
  for (let j = 0; j <= i; j++) older += (comments[j] ?? "").length;
  const parts = [head.text, first.text];
  if (i >= 0) {
    unread += older;
    parts.push(`[${i + 1} earlier comment${i === 0 ? "" : "s"} (${older} characters) not read]`);
  }
  append(parts, kept.reverse());
  return { text: parts.join("\n\n"), unread };
}

/** The thread text alone (see `threadOf`). */
export function threadText(
  title: string,
  body: string | null | undefined,
  comments: readonly string[],
): string {
  return threadOf(title, body, comments).text;
}
