/** The text the engine reads for an issue thread: the title as a heading, then the body, then comments. */
export function threadText(title: string, body: string | null | undefined, comments: string[]): string {
  return [`# ${title}`, body ?? "", ...comments].join("\n\n");
}
