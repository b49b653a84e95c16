/**
 * Pull-request review on GitHub: where each finding goes (inline on a hunk line, file-level, or
 * the review body), posting one review per push with a fallback when GitHub rejects anchors, and
 * the state of earlier pushes (our comments by fingerprint, the ones humans replied to).
 */
import type { ProbotOctokit } from "probot";
import type { CodeFinding } from "../diagnosis/types.js";
import type { RenderOptions } from "../report/links.js";
import { renderReviewBody, renderReviewComment } from "../report/review.js";
import { type Hunk, hunkOf } from "./diff.js";
import { type BotIdentity, isMine } from "./identity.js";
import { type Plan, reconcile } from "./reconcile.js";

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
    const fix =
      opts.suggestions && f.fix && hunkOf(fileHunks, f.fix.startLine, f.fix.endLine) ? f.fix : undefined;
    if (!fix && !hunkOf(fileHunks, f.line)) {
      p.fileLevel.push(f);
      continue;
    }
    if (p.inline.length >= opts.maxComments) {
      p.body.push(f);
      continue;
    }
    const comment: InlineComment = {
      path: f.file,
      line: fix ? fix.endLine : f.line,
      side: "RIGHT",
      body: `${findingMarker(f)}\n${renderReviewComment(f, { ...opts, suggestion: fix !== undefined })}`,
    };
    if (fix && fix.startLine < fix.endLine) {
      comment.start_line = fix.startLine;
      comment.start_side = "RIGHT";
    }
    p.inline.push({ finding: f, comment });
  }
  return p;
}

export interface ReviewCommentInfo {
  id: number;
  body?: string;
  user: { type: string; login: string } | null;
  in_reply_to_id?: number;
}

export interface ReviewInfo {
  body?: string | null;
  user: { type: string; login?: string } | null;
}

/** One finding we posted earlier: as a comment (deletable) or in a review body (not). */
export interface PostedFinding {
  fingerprint: string;
  commentId: number | null;
  /** A human replied to its comment (or it lives in a review body): never deleted. */
  protected: boolean;
}

/** What earlier pushes left: our findings, from comments and review bodies. */
export function postedFindings(
  comments: ReviewCommentInfo[],
  reviews: ReviewInfo[],
  me: BotIdentity,
): PostedFinding[] {
  const repliedTo = new Set<number>();
  // Anyone else's reply (a person, another bot) protects the thread.
  for (const c of comments)
    if (c.in_reply_to_id !== undefined && !isMine(c.user, me)) repliedTo.add(c.in_reply_to_id);
  const out: PostedFinding[] = [];
  for (const c of comments) {
    if (!isMine(c.user, me)) continue;
    for (const fp of parseFindingMarkers(c.body))
      out.push({ fingerprint: fp, commentId: c.id, protected: repliedTo.has(c.id) });
  }
  for (const r of reviews) {
    if (!isMine(r.user, me)) continue;
    for (const fp of parseFindingMarkers(r.body))
      out.push({ fingerprint: fp, commentId: null, protected: true });
  }
  return out;
}

/**
 * Findings of this push against what is posted: new ones to post, stale comments to delete,
 * the rest left alone. A finding is never posted twice; a comment a human replied to stays.
 */
export function planComments(
  findings: CodeFinding[],
  posted: PostedFinding[],
): Plan<CodeFinding, PostedFinding> {
  // Comments first, so a finding that also appears in a review body is represented by its comment.
  const ordered = [...posted].sort((a, b) => Number(a.commentId === null) - Number(b.commentId === null));
  return reconcile(findings, ordered, {
    desiredKey: (f) => f.fingerprint,
    existingKey: (p) => p.fingerprint,
    same: () => true,
    protect: (p) => p.protected,
  });
}

export type PostOutcome = { posted: boolean; fallback: boolean; forbidden: boolean };

type PullRef = { owner: string; repo: string; pull_number: number };

/**
 * Post one COMMENT review. On 422 (an anchor GitHub rejects), post again with the inline
 * comments moved into the body, so no finding is lost.
 */
export async function postReview(
  octokit: ProbotOctokit,
  ref: PullRef,
  commitId: string,
  placement: Placement,
  opts: RenderOptions,
  log: { warn: (o: object, m: string) => void },
): Promise<PostOutcome> {
  const comments = placement.inline.map((i) => i.comment);
  const total = placement.inline.length + placement.fileLevel.length + placement.body.length;
  const body = (listed: CodeFinding[], note?: string) =>
    renderReviewBody(total, listed, { ...opts, marker: findingMarker, ...(note ? { note } : {}) });
  try {
    await octokit.rest.pulls.createReview({
      ...ref,
      commit_id: commitId,
      event: "COMMENT",
      body: body(placement.body),
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
      body: body(
        [...placement.inline.map((i) => i.finding), ...placement.body],
        "GitHub did not accept line comments on this diff, so the findings are listed here.",
      ),
    });
    return { posted: true, fallback: true, forbidden: false };
  }
}

/** File-level comments (for findings outside the hunks of a changed file). */
export async function postFileComments(
  octokit: ProbotOctokit,
  ref: PullRef,
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
      body: `${findingMarker(f)}\n${renderReviewComment(f, { ...opts, fileLevel: true })}`,
    });
  }
}

/** Our review comments and reviews on a pull request (all pages). */
export async function listPosted(
  octokit: ProbotOctokit,
  ref: PullRef,
  me: BotIdentity,
): Promise<PostedFinding[]> {
  const [comments, reviews] = await Promise.all([
    octokit.paginate(octokit.rest.pulls.listReviewComments, { ...ref, per_page: 100 }) as Promise<
      ReviewCommentInfo[]
    >,
    octokit.paginate(octokit.rest.pulls.listReviews, { ...ref, per_page: 100 }) as Promise<ReviewInfo[]>,
  ]);
  return postedFindings(comments, reviews, me);
}
