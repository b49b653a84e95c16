/**
 * Earlier issues of the same repository that got the same diagnosis: one search request for the
 * rule's id beside the App's name in issue comments (the App's comment shows both as visible
 * text; a rule id alone in someone's comment is not a diagnosis). Best effort: a search that
 * fails or is rate limited lists nothing, and never stops the triage.
 */
import type { ProbotOctokit } from "probot";
import type { IssueRef } from "./sticky.js";

/** How long the search may take before the comment goes out without it. */
const SEARCH_TIMEOUT_MS = 5000;

/** Issues listed at most. */
export const MAX_RELATED = 3;

/** Rule ids are `[a-z0-9-]+`; anything else is not searched for. */
const RULE_ID = /^[a-z0-9][a-z0-9-]{0,80}$/;

export async function relatedIssues(octokit: ProbotOctokit, ref: IssueRef, rule: string): Promise<number[]> {
  if (!RULE_ID.test(rule)) return [];
  const q = `repo:${ref.owner}/${ref.repo} is:issue in:comments "async-doctor" "${rule}"`;
  try {
    const r = await octokit.rest.search.issuesAndPullRequests({
      q,
      sort: "created",
      order: "desc",
      per_page: 10,
      // The search API's own rate limit is low: never let a throttled search hold the comment up.
      request: { signal: AbortSignal.timeout(SEARCH_TIMEOUT_MS) },
    });
    return r.data.items
      .filter((i) => !i.pull_request && i.number < ref.issue_number)
      .map((i) => i.number)
      .slice(0, MAX_RELATED);
  } catch {
    return [];
  }
}
