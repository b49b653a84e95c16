/**
 * Where a repository's code names a module, from GitHub's code search (one request; the default
 * branch's index). Used only when a pull request adds a package whose risk depends on calls in
 * code the PR does not touch. Search is best effort: any refusal (rate limit, a repository not
 * indexed) returns null and the review goes on without it.
 */
import type { ProbotOctokit } from "probot";

/** At most this many files are read from the results. */
export const MAX_SEARCH_FILES = 20;

export async function filesNaming(
  octokit: ProbotOctokit,
  repo: { owner: string; repo: string },
  module: string,
): Promise<string[] | null> {
  try {
    const { data } = await octokit.rest.search.code({
      q: `"${module}" repo:${repo.owner}/${repo.repo} language:Python`,
      per_page: MAX_SEARCH_FILES,
    });
    return (data.items ?? []).map((i) => i.path).filter((p) => typeof p === "string");
  } catch {
    return null;
  }
}
