/** Pull-request review texts: one inline comment per finding, and the review body. */
import { ruleTitle } from "../diagnosis/catalog.js";
import type { CodeFinding } from "../diagnosis/types.js";
import { type RenderOptions, ruleDocUrl } from "./links.js";
import { code, details, suggestionBlock } from "./markdown.js";

/** Body of one review comment (inline or file-level). */
export function renderReviewComment(
  f: CodeFinding,
  opts: RenderOptions & { suggestion?: boolean; fileLevel?: boolean } = {},
): string {
  const message = opts.fileLevel ? `Line ${f.line}: ${f.message}` : f.message;
  const parts = [
    `**async-doctor** · ${ruleTitle(f.rule)} · [${f.rule}](${ruleDocUrl(f.rule, opts)})`,
    message,
  ];
  if (f.fix && opts.suggestion) parts.push(suggestionBlock(f.fix.text));
  parts.push(`<sub>Silence this line with \`# async-doctor: ignore[${f.rule}]\`.</sub>`);
  return parts.join("\n\n");
}

function bodyItem(f: CodeFinding, opts: RenderOptions, marker: string): string {
  return `- ${code(`${f.file}:${f.line}`, 200)} · [${f.rule}](${ruleDocUrl(f.rule, opts)}) · ${ruleTitle(f.rule)}: ${f.message} ${marker}`;
}

/**
 * The review body: a count, an optional note, and the findings not commented inline, each
 * followed by the marker the caller uses to recognise it later.
 */
export function renderReviewBody(
  total: number,
  listed: CodeFinding[],
  opts: RenderOptions & { marker: (f: CodeFinding) => string; note?: string },
): string {
  const parts = [
    `**async-doctor** found ${total} concurrency-library problem${total === 1 ? "" : "s"} in this push.`,
  ];
  if (opts.note) parts.push(opts.note);
  if (listed.length > 0)
    parts.push(
      details(
        `${listed.length} more finding${listed.length === 1 ? "" : "s"} (not commented inline)`,
        listed.map((f) => bodyItem(f, opts, opts.marker(f))).join("\n"),
      ),
    );
  return parts.join("\n\n");
}
