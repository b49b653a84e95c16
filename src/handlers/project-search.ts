/**
 * Calls in code a pull request does not touch, found with GitHub's code search and read at the
 * head (one search and one content request per review, only when the PR adds a package whose
 * risk rests on such calls).
 */

import { append } from "../diagnosis/append.js";
import type { RuleFilter } from "../diagnosis/engine.js";
import { withoutSettled } from "../diagnosis/findings.js";
import { isTestPath } from "../diagnosis/paths.js";
import type { ProjectCall } from "../diagnosis/rule.js";
import type { CodeFinding } from "../diagnosis/types.js";
import { filesNaming, MAX_SEARCH_FILES } from "../github/code-search.js";
import { fetchContents, type Revisions } from "../github/pr-files.js";
import { code } from "../report/markdown.js";
import { contextAt, type ProjectSide } from "./project-context.js";
import type { ReviewDeps } from "./review.js";

export async function searchCalls(
  deps: ReviewDeps,
  at: Revisions,
  modules: string[],
  opts: { head: ProjectSide; read: ReadonlySet<string>; filter: RuleFilter },
): Promise<{ calls: ProjectCall[]; note?: string }> {
  const { context, engine } = deps;
  const paths = new Set<string>();
  const unsearched: string[] = [];
  for (const m of modules) {
    const found = await filesNaming(context.octokit, { owner: at.owner, repo: at.repo }, m);
    if (found === null) unsearched.push(m);
    else for (const p of found) if (!opts.read.has(p) && !isTestPath(p)) paths.add(p);
  }
  const note =
    unsearched.length > 0
      ? `GitHub's code search did not answer for ${unsearched.map((m) => code(m, 100)).join(", ")}: calls in code this pull request does not change were not checked.`
      : undefined;
  const toRead = [...paths].slice(0, MAX_SEARCH_FILES);
  if (toRead.length === 0) return note ? { calls: [], note } : { calls: [] };
  const { extra } = await fetchContents(context.octokit, at, [], toRead);
  const calls: ProjectCall[] = [];
  for (const p of toRead) {
    const text = extra.get(p);
    if (text) append(calls, engine.scanSource(p, text, opts.filter, contextAt(opts.head, p)).calls);
  }
  return note ? { calls, note } : { calls };
}

/**
 * The findings left once calls the project makes elsewhere settle those a run gave (`settledBy`:
 * `init_gevent()` in a gunicorn `post_fork` hook the pull request does not touch). `calls`: those
 * of the files already read; the repository is searched for the rest (one search per call name).
 */
export async function settleFindings(
  deps: ReviewDeps,
  at: Revisions,
  findings: CodeFinding[],
  calls: ProjectCall[],
  opts: { head: ProjectSide; read: ReadonlySet<string>; filter: RuleFilter },
): Promise<{ findings: CodeFinding[]; note?: string }> {
  const names = [...new Set(findings.flatMap((f) => f.settledBy ?? []))];
  if (names.length === 0) return { findings };
  const sameProject = (call: string, file: string) =>
    !isTestPath(call) && opts.head.owner(call) === opts.head.owner(file);
  const known = withoutSettled(findings, calls, sameProject);
  if (!known.some((f) => f.settledBy)) return { findings: known };
  const tails = [...new Set(names.map((n) => n.slice(n.lastIndexOf(".") + 1)))];
  const searched = await searchCalls(deps, at, tails, opts);
  const left = withoutSettled(known, [...calls, ...searched.calls], sameProject);
  return searched.note ? { findings: left, note: searched.note } : { findings: left };
}
