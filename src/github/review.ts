/**
 * Pull-request review: where each finding goes (inline on a hunk line, file-level, or the review
 * body), posting one review per push with a fallback when GitHub rejects anchors, and keeping
 * comments in step across pushes (fingerprints; stale comments deleted unless a human replied).
 */
import type { ProbotOctokit } from "probot";
import { code } from "../diagnosis/md.js";
import { type RenderOptions, renderReviewComment } from "../diagnosis/render.js";
import { ruleById } from "../diagnosis/rules/index.js";
import type { CodeFinding } from "../diagnosis/types.js";
import { type Hunk, hunkOf } from "./diff.js";

export const FINDING_MARKER = "<!-- async-doctor:finding";

export function findingMarker(f: CodeFinding): string {
  return `${FINDING_MARKER} fp=${f.fingerprint} rule=${f.rule} -->`;
}

export function parseFindingMarkers(body: string | null | undefined): string[] {
  const out: string[] = [];
  if (!body) return out;
  let from = 0;
  for (;;) {
    const i = body.indexOf(`${FINDING_MARKER} fp=`, from);
    if (i < 0) return out;
    const start = i + FINDING_MARKER.length + 4;
    const end = body.indexOf(" ", start);
    out.push(body.slice(start, end < 0 ? undefined : end));
    from = start;
  }
}

export interface InlineComment {
  path: string;
  line: number;
  side: "RIGHT";
  start_line?: number;
  start_side?: "RIGHT";
  body: string;
}

export interface Placement {
  inline: { finding: CodeFinding; comment: InlineComment }[];
  fileLevel: CodeFinding[];
  body: CodeFinding[];
}

export interface PlacementOptions extends RenderOptions {
  maxComments: number;
  suggestions: boolean;
}

/**
 * Place findings. `hunks` maps each changed file to its parsed hunks (files absent from the map
 * are not in the diff). Anchors are validated against the hunks here, before GitHub sees them.
 */
export function placeFindings(
  findings: CodeFinding[],
  hunks: Map<string, Hunk[]>,
  opts: PlacementOptions,
): Placement {
  const p: Placement = { inline: [], fileLevel: [], body: [] };
  for (const f of findings) {
    const fileHunks = hunks.get(f.file);
    if (fileHunks === undefined) {
      p.body.push(f);
      continue;
    }
    const fix = opts.suggestions && f.fix ? f.fix : undefined;
    const fixHunk = fix ? hunkOf(fileHunks, fix.startLine, fix.endLine) : null;
    const lineHunk = hunkOf(fileHunks, f.line);
    if (fix && fixHunk) {
      if (p.inline.length >= opts.maxComments) {
        p.body.push(f);
        continue;
      }
      const comment: InlineComment = {
        path: f.file,
        line: fix.endLine,
        side: "RIGHT",
        body: `${findingMarker(f)}\n${renderReviewComment(f, { ...opts, suggestion: true })}`,
      };
      if (fix.startLine < fix.endLine) {
        comment.start_line = fix.startLine;
        comment.start_side = "RIGHT";
      }
      p.inline.push({ finding: f, comment });
    } else if (lineHunk) {
      if (p.inline.length >= opts.maxComments) {
        p.body.push(f);
        continue;
      }
      p.inline.push({
        finding: f,
        comment: {
          path: f.file,
          line: f.line,
          side: "RIGHT",
          body: `${findingMarker(f)}\n${renderReviewComment(f, opts)}`,
        },
      });
    } else p.fileLevel.push(f);
  }
  return p;
}

function bodyItem(f: CodeFinding, opts: RenderOptions): string {
  const title = ruleById(f.rule)?.title ?? f.rule;
  const docs = `${opts.docsBase ?? "https://github.com/async-doctor/async-doctor/blob/main/docs/rules/"}${f.rule}.md`;
  return `- ${code(`${f.file}:${f.line}`, 200)} · [${f.rule}](${docs}) · ${title}: ${f.message} ${findingMarker(f)}`;
}

export function reviewBody(
  inlineCount: number,
  fileLevelCount: number,
  body: CodeFinding[],
  opts: RenderOptions,
  note?: string,
): string {
  const total = inlineCount + fileLevelCount + body.length;
  const parts = [
    `**async-doctor** found ${total} concurrency-library problem${total === 1 ? "" : "s"} in this push.`,
  ];
  if (note) parts.push(note);
  if (body.length > 0) {
    parts.push(
      `<details><summary>${body.length} more finding${body.length === 1 ? "" : "s"} (not commented inline)</summary>\n\n${body.map((f) => bodyItem(f, opts)).join("\n")}\n\n</details>`,
    );
  }
  return parts.join("\n\n");
}

export interface ReviewCommentInfo {
  id: number;
  body?: string;
  user: { type: string; login: string } | null;
  in_reply_to_id?: number;
}

/** Our posted findings (fingerprint -> comment ids) and the comments humans replied to. */
export function existingState(
  comments: ReviewCommentInfo[],
  reviews: { body?: string | null; user: { type: string } | null }[],
) {
  const posted = new Map<string, number[]>();
  const repliedTo = new Set<number>();
  for (const c of comments) {
    if (c.in_reply_to_id !== undefined && c.user?.type !== "Bot") repliedTo.add(c.in_reply_to_id);
    if (c.user?.type !== "Bot") continue;
    for (const fp of parseFindingMarkers(c.body)) posted.set(fp, [...(posted.get(fp) ?? []), c.id]);
  }
  const inBodies = new Set<string>();
  for (const r of reviews) {
    if (r.user?.type !== "Bot") continue;
    for (const fp of parseFindingMarkers(r.body)) inBodies.add(fp);
  }
  return { posted, repliedTo, inBodies };
}

export type PostOutcome = { posted: boolean; fallback: boolean; forbidden: boolean };

/**
 * Post one COMMENT review. On 422 (an anchor GitHub rejects), post again with the inline
 * comments moved into the body, so no finding is lost.
 */
export async function postReview(
  octokit: ProbotOctokit,
  ref: { owner: string; repo: string; pull_number: number },
  commitId: string,
  placement: Placement,
  opts: RenderOptions,
  log: { warn: (o: object, m: string) => void },
): Promise<PostOutcome> {
  const comments = placement.inline.map((i) => i.comment);
  try {
    await octokit.rest.pulls.createReview({
      ...ref,
      commit_id: commitId,
      event: "COMMENT",
      body: reviewBody(placement.inline.length, placement.fileLevel.length, placement.body, opts),
      comments,
    });
    return { posted: true, fallback: false, forbidden: false };
  } catch (e) {
    const status = (e as { status?: number }).status;
    if (status === 403) return { posted: false, fallback: false, forbidden: true };
    if (status !== 422 || comments.length === 0) throw e;
    log.warn(
      { pull: ref.pull_number },
      "review rejected (422): posting again with every finding in the review body",
    );
    await octokit.rest.pulls.createReview({
      ...ref,
      commit_id: commitId,
      event: "COMMENT",
      body: reviewBody(
        0,
        placement.fileLevel.length,
        [...placement.inline.map((i) => i.finding), ...placement.body],
        opts,
        "GitHub did not accept line comments on this diff, so the findings are listed here.",
      ),
    });
    return { posted: true, fallback: true, forbidden: false };
  }
}

/** File-level comments (for findings outside the hunks of a changed file). */
export async function postFileComments(
  octokit: ProbotOctokit,
  ref: { owner: string; repo: string; pull_number: number },
  commitId: string,
  findings: CodeFinding[],
  opts: RenderOptions,
): Promise<void> {
  for (const f of findings) {
    await octokit.rest.pulls.createReviewComment({
      ...ref,
      commit_id: commitId,
      path: f.file,
      subject_type: "file",
      body: `${findingMarker(f)}\n${renderReviewComment({ ...f, message: `Line ${f.line}: ${f.message}` }, opts)}`,
    });
  }
}
