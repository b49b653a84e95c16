/**
 * One sticky comment per issue: found by a hidden marker across all pages of comments,
 * created when absent, updated only when its body changes, duplicates from races healed
 * (the oldest is kept).
 */
import type { ProbotOctokit } from "probot";

export const MARKER_PREFIX = "<!-- async-doctor:issue";

export interface IssueRef {
  owner: string;
  repo: string;
  issue_number: number;
}

export interface IssueComment {
  id: number;
  body?: string | null;
  user: { login: string; type: string } | null;
  created_at: string;
}

/** The hidden marker, carrying the rule ids the comment is about. */
export function marker(rules: string[]): string {
  return `${MARKER_PREFIX} rules=${rules.join(",")} -->`;
}

/** Rule ids recorded in a sticky comment's marker, or null when the body has no marker. */
export function parseMarker(body: string | null | undefined): string[] | null {
  if (!body) return null;
  const i = body.indexOf(MARKER_PREFIX);
  if (i < 0) return null;
  const end = body.indexOf("-->", i);
  const inner = body.slice(i + MARKER_PREFIX.length, end < 0 ? undefined : end).trim();
  if (!inner.startsWith("rules=")) return [];
  return inner
    .slice(6)
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function isSticky(c: IssueComment): boolean {
  return c.user?.type === "Bot" && parseMarker(c.body) !== null;
}

export async function listComments(octokit: ProbotOctokit, ref: IssueRef): Promise<IssueComment[]> {
  return (await octokit.paginate(octokit.rest.issues.listComments, {
    ...ref,
    per_page: 100,
  })) as IssueComment[];
}

/** Our sticky comments, oldest first. */
export function findSticky(comments: IssueComment[]): IssueComment[] {
  return comments.filter(isSticky).sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
}

export type WriteResult = "created" | "updated" | "unchanged";

/** GitHub rejects comment bodies over 65,536 characters. */
const MAX_BODY = 65_000;

export function capBody(body: string): string {
  if (body.length <= MAX_BODY) return body;
  return `${body.slice(0, MAX_BODY - 60)}\n\n_(comment shortened to GitHub's size limit)_`;
}

/**
 * Create or update the sticky comment. `existing` are our sticky comments, oldest first; any
 * beyond the first are duplicates from a race and are deleted.
 */
export async function writeSticky(
  octokit: ProbotOctokit,
  ref: IssueRef,
  existing: IssueComment[],
  body: string,
): Promise<WriteResult> {
  const full = capBody(body);
  const [keep, ...dupes] = existing;
  for (const d of dupes) {
    await octokit.rest.issues.deleteComment({ owner: ref.owner, repo: ref.repo, comment_id: d.id });
  }
  if (keep === undefined) {
    await octokit.rest.issues.createComment({ ...ref, body: full });
    return "created";
  }
  if ((keep.body ?? "") === full) return "unchanged";
  await octokit.rest.issues.updateComment({
    owner: ref.owner,
    repo: ref.repo,
    comment_id: keep.id,
    body: full,
  });
  return "updated";
}
