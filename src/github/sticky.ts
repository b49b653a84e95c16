/**
 * One sticky comment per issue: found by a hidden marker across all pages of comments,
 * created when absent, updated only when its body changes, duplicates from races healed
 * (the oldest is kept).
 */
import type { ProbotOctokit } from "probot";
import { type BotIdentity, isMine } from "./identity.js";
import { reconcile } from "./reconcile.js";

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
  /** OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, NONE, ... */
  author_association?: string | null;
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

/** Our sticky comment: written by our own bot account and carrying the marker. */
export function isSticky(c: IssueComment, me: BotIdentity): boolean {
  return isMine(c.user, me) && parseMarker(c.body) !== null;
}

export async function listComments(octokit: ProbotOctokit, ref: IssueRef): Promise<IssueComment[]> {
  return (await octokit.paginate(octokit.rest.issues.listComments, {
    ...ref,
    per_page: 100,
  })) as IssueComment[];
}

/** Our sticky comments, oldest first. */
export function findSticky(comments: IssueComment[], me: BotIdentity): IssueComment[] {
  return comments
    .filter((c) => isSticky(c, me))
    .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
}

export type WriteResult = "created" | "updated" | "unchanged";

/** GitHub rejects comment bodies over 65,536 characters. */
const MAX_BODY = 65_000;

export function capBody(body: string): string {
  if (body.length <= MAX_BODY) return body;
  return `${body.slice(0, MAX_BODY - 60)}\n\n_(comment shortened to GitHub's size limit)_`;
}

/**
 * Bring the sticky comment to `body`. `existing` are our sticky comments, oldest first; the
 * oldest is kept (updated only when its body differs), later ones are duplicates from a race
 * and are deleted.
 */
export async function writeSticky(
  octokit: ProbotOctokit,
  ref: IssueRef,
  existing: IssueComment[],
  body: string,
): Promise<WriteResult> {
  const full = capBody(body);
  const plan = reconcile([full], existing, {
    desiredKey: () => "sticky",
    existingKey: () => "sticky",
    same: (want, have) => (have.body ?? "") === want,
  });
  for (const d of plan.remove) {
    await octokit.rest.issues.deleteComment({ owner: ref.owner, repo: ref.repo, comment_id: d.id });
  }
  if (plan.create.length > 0) {
    await octokit.rest.issues.createComment({ ...ref, body: full });
    return "created";
  }
  const u = plan.update[0];
  if (u === undefined) return "unchanged";
  await octokit.rest.issues.updateComment({
    owner: ref.owner,
    repo: ref.repo,
    comment_id: u.have.id,
    body: full,
  });
  return "updated";
}
