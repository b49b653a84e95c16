/**
 * The project files of a pull request's head (manifests, lock files, run configs), listed from
 * the head tree in one request. Their text comes with the batched content request (pr-files.ts).
 */
import type { ProbotOctokit } from "probot";
import { MAX_MANIFEST_BYTES } from "../diagnosis/project/manifests.js";
import { isProjectFile } from "../diagnosis/project/project.js";

/** At most this many project files are read (the shallowest first: the root's manifests lead). */
export const MAX_PROJECT_FILES = 100;
/** And at most this many bytes of them (each is read at the head and the base). */
export const MAX_PROJECT_BYTES = 8 * 1024 * 1024;

export interface ProjectListing {
  paths: string[];
  /**
   * Why the list may be incomplete: GitHub cut the tree listing short or there were more project
   * files than are read (`truncated`), or the head tree could not be listed (`unavailable`).
   */
  partial: "truncated" | "unavailable" | null;
}

interface TreeEntry {
  path?: string;
  type?: string;
  size?: number;
}

/** Project files at `sha`: one recursive tree request. Skips files over the manifest size cap. */
export async function listProjectFiles(
  octokit: ProbotOctokit,
  repo: { owner: string; repo: string },
  sha: string,
): Promise<ProjectListing> {
  let data: { tree?: TreeEntry[]; truncated?: boolean };
  try {
    ({ data } = await octokit.rest.git.getTree({ ...repo, tree_sha: sha, recursive: "1" }));
  } catch (e) {
    // No tree to list (an empty or vanished commit): review without the project context.
    const status = (e as { status?: number }).status;
    if (status === 404 || status === 409 || status === 422) return { paths: [], partial: "unavailable" };
    throw e;
  }
  const entries = (data.tree ?? []) as TreeEntry[];
  const sizes = new Map<string, number>();
  const found = entries
    .filter(
      (e): e is TreeEntry & { path: string } =>
        e.type === "blob" &&
        typeof e.path === "string" &&
        (e.size ?? 0) <= MAX_MANIFEST_BYTES &&
        !e.path.split("/").some((d) => d === "node_modules" || d === ".venv" || d === "site-packages") &&
        isProjectFile(e.path),
    )
    .map((e) => {
      sizes.set(e.path, e.size ?? 0);
      return e.path;
    })
    .sort((a, b) => a.split("/").length - b.split("/").length || (a < b ? -1 : a > b ? 1 : 0));
  const paths: string[] = [];
  let bytes = 0;
  for (const p of found) {
    const size = sizes.get(p) ?? 0;
    if (paths.length >= MAX_PROJECT_FILES || bytes + size > MAX_PROJECT_BYTES) break;
    paths.push(p);
    bytes += size;
  }
  return { paths, partial: data.truncated === true || paths.length < found.length ? "truncated" : null };
}
