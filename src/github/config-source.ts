/**
 * Reads `.github/async-doctor.yml` from GitHub for the one loader (config/load.ts): the
 * repository's default branch, then `[tool.async-doctor]` in its `pyproject.toml`, then the
 * organisation's `.github` repository, in one GraphQL request; files named by `_extends` with
 * one request each. A configuration that is the repository's own file alone is revalidated later
 * with a conditional REST request (ETag → 304, which GitHub does not count against the rate limit).
 */
import type { ProbotOctokit } from "probot";
import { type ConfigReader, loadConfig } from "../config/load.js";
import { pyprojectConfigText } from "../config/pyproject.js";
import { CONFIG_PATH, type ConfigResult } from "../config/schema.js";

type Blob = {
  object?: { text?: string | null } | null;
  pyproject?: { text?: string | null } | null;
} | null;

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

/** Where the root file came from: the repository itself, the organisation's `.github`, or nowhere. */
type Origin = "repo" | "pyproject" | "org" | null;

/** A reader for one repository: its own file (with the organisation fallback), then `_extends` targets. */
function githubConfigReader(
  octokit: ProbotOctokit,
  repo: { owner: string; repo: string },
  onRoot: (origin: Origin) => void = () => undefined,
): ConfigReader {
  return async (ref) => {
    if (ref.repo === undefined) {
      const data = await query(
        octokit,
        `query($owner: String!, $repo: String!, $expr: String!) {
  repo: repository(owner: $owner, name: $repo) {
    object(expression: $expr) { ... on Blob { text } }
    pyproject: object(expression: "HEAD:pyproject.toml") { ... on Blob { text } }
  }
  org: repository(owner: $owner, name: ".github") { object(expression: $expr) { ... on Blob { text } } }
}`,
        { owner: repo.owner, repo: repo.repo, expr: `HEAD:${ref.path}` },
      );
      const own = data.repo?.object?.text;
      if (typeof own === "string") {
        onRoot("repo");
        return own;
      }
      // `[tool.async-doctor]` in the repository's pyproject.toml, as the CLI reads it.
      const pyproject = data.repo?.pyproject?.text;
      const table = typeof pyproject === "string" ? pyprojectConfigText(pyproject) : null;
      if (table !== null) {
        onRoot("pyproject");
        return table;
      }
      const org = data.org?.object?.text;
      onRoot(typeof org === "string" ? "org" : null);
      return org ?? null;
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

/** A loaded configuration; `ownFileOnly` when it is the repository's own file and nothing else. */
export interface LoadedConfig {
  result: ConfigResult;
  ownFileOnly: boolean;
}

/** A conditional read of the repository's own file: unchanged (304), its text and ETag, or missing. */
export type OwnFileRead =
  | { status: "unchanged" }
  | { status: "changed"; text: string; etag: string | null }
  | { status: "missing" };

/** How the cache reaches GitHub (replaced in tests). */
export interface ConfigSource {
  load(octokit: ProbotOctokit, repo: { owner: string; repo: string }): Promise<LoadedConfig>;
  readOwnFile(
    octokit: ProbotOctokit,
    repo: { owner: string; repo: string },
    etag: string | null,
  ): Promise<OwnFileRead>;
  fromText(
    octokit: ProbotOctokit,
    repo: { owner: string; repo: string },
    text: string,
  ): Promise<LoadedConfig>;
}

async function tracked(
  octokit: ProbotOctokit,
  repo: { owner: string; repo: string },
  root?: string,
): Promise<LoadedConfig> {
  let origin: Origin = root === undefined ? null : "repo";
  let reads = 0;
  const github = githubConfigReader(octokit, repo, (o) => {
    origin = o;
  });
  const result = await loadConfig(
    async (ref) => {
      reads++;
      return root !== undefined && ref.repo === undefined ? root : github(ref);
    },
    { path: CONFIG_PATH },
  );
  return { result, ownFileOnly: origin === "repo" && reads === 1 };
}

export const githubConfigSource: ConfigSource = {
  load: (octokit, repo) => tracked(octokit, repo),
  fromText: (octokit, repo, text) => tracked(octokit, repo, text),
  async readOwnFile(octokit, repo, etag) {
    try {
      const res = await octokit.rest.repos.getContent({
        ...repo,
        path: CONFIG_PATH,
        mediaType: { format: "raw" },
        ...(etag === null ? {} : { headers: { "if-none-match": etag } }),
      });
      const text = typeof res.data === "string" ? res.data : null;
      if (text === null) return { status: "missing" };
      return { status: "changed", text, etag: res.headers.etag ?? null };
    } catch (e) {
      const status = (e as { status?: number }).status;
      if (status === 304) return { status: "unchanged" };
      if (status === 404) return { status: "missing" };
      throw e;
    }
  },
};
