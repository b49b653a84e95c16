/**
 * Sync a pull request's review comments with this push's findings: post what is new (one review,
 * then file-level comments), delete what went away unless someone replied.
 */
import type { Config } from "../config/schema.js";
import type { CodeFinding } from "../diagnosis/types.js";
import { type Hunk, parsePatch } from "../github/diff.js";
import type { PrFile } from "../github/pr-files.js";
import { listPosted, placeFindings, planComments, postFileComments, postReview } from "../github/review.js";
import type { PrTarget, ReviewDeps } from "./review.js";

/** Post what is new, delete what went away (unless a human replied). Returns how many were posted. */
export async function syncComments(
  deps: ReviewDeps,
  t: PrTarget,
  files: PrFile[],
  findings: CodeFinding[],
  config: Config,
): Promise<number> {
  const { context, render } = deps;
  const octokit = context.octokit;
  const pullRef = { owner: t.owner, repo: t.repo, pull_number: t.number };
  const plan = planComments(findings, t.fresh ? [] : await listPosted(octokit, pullRef, await deps.me()));
  for (const stale of plan.remove)
    if (stale.commentId !== null)
      await octokit.rest.pulls.deleteReviewComment({
        owner: t.owner,
        repo: t.repo,
        comment_id: stale.commentId,
      });

  const hunks = new Map<string, Hunk[]>();
  for (const f of files) if (f.status !== "removed") hunks.set(f.filename, parsePatch(f.patch).hunks);
  const placement = placeFindings(plan.create, hunks, {
    ...render,
    maxComments: config.pull_requests.max_comments,
    suggestions: config.pull_requests.suggestions,
  });
  let forbidden = false;
  if (placement.inline.length > 0 || placement.body.length > 0)
    forbidden = (await postReview(octokit, pullRef, t.headSha, placement, render, context.log)).forbidden;
  if (!forbidden && placement.fileLevel.length > 0) {
    try {
      await postFileComments(octokit, pullRef, t.headSha, placement.fileLevel, render);
    } catch (e) {
      if ((e as { status?: number }).status !== 403) throw e;
      forbidden = true;
    }
  }
  if (forbidden)
    context.log.warn(
      { permission: "pull_requests: write" },
      "missing permission `pull_requests: write`: findings are reported in the check run only",
    );
  return plan.create.length;
}
