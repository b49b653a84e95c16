/**
 * Reads `.github/async-doctor.yml` from GitHub for the one loader (config/load.ts): the
 * repository's default branch, falling back to the organisation's `.github` repository, in one
 * GraphQL request; files named by `_extends` with one request each.
 */
import type { ProbotOctokit } from "probot";
import { type ConfigReader, loadConfig } from "../config/load.js";
import { CONFIG_PATH, type ConfigResult } from "../config/schema.js";

type Blob = { object?: { text?: string | null } | null } | null;

async function query(octokit: ProbotOctokit, q: string, vars: Record<string, string>) {
  try {
    return (await octokit.graphql(q, vars)) as Record<string, Blob>;
  } catch (e) {
    // A missing repository (the organisation's `.github`) is a GraphQL error with partial data.
    const partial = (e as { data?: Record<string, Blob> }).data;
    if (!partial) throw e;
    return partial;
  }
}

/** A reader for one repository: its own file (with the organisation fallback), then `_extends` targets. */
export function githubConfigReader(
  octokit: ProbotOctokit,
  repo: { owner: string; repo: string },
): ConfigReader {
  return async (ref) => {
    if (ref.repo === undefined) {
      const data = await query(
        octokit,
        `query($owner: String!, $repo: String!, $expr: String!) {
  repo: repository(owner: $owner, name: $repo) { object(expression: $expr) { ... on Blob { text } } }
  org: repository(owner: $owner, name: ".github") { object(expression: $expr) { ... on Blob { text } } }
}`,
        { owner: repo.owner, repo: repo.repo, expr: `HEAD:${ref.path}` },
      );
      return data.repo?.object?.text ?? data.org?.object?.text ?? null;
    }
    const data = await query(
      octokit,
      `query($owner: String!, $repo: String!, $expr: String!) {
  repo: repository(owner: $owner, name: $repo) { object(expression: $expr) { ... on Blob { text } } }
}`,
      { owner: ref.owner ?? repo.owner, repo: ref.repo, expr: `HEAD:${ref.path}` },
    );
    return data.repo?.object?.text ?? null;
  };
}

/** The configuration of a repository, as every handler loads it. */
export function loadRepoConfig(
  octokit: ProbotOctokit,
  repo: { owner: string; repo: string },
): Promise<ConfigResult> {
  return loadConfig(githubConfigReader(octokit, repo), { path: CONFIG_PATH });
}
