/**
 * A pull request's project context: the manifests and run configs at its head and base, the
 * context each changed module gets from them, and the findings on manifest lines that the PR
 * introduced. Pure: the texts come from the batched content request.
 */

import { append } from "../diagnosis/append.js";
import type { RuleFilter } from "../diagnosis/engine.js";
import { type FileContext, fileContext, type Project, readProject } from "../diagnosis/project/project.js";
import { type CodeFacts, manifestFindings } from "../diagnosis/project/side.js";
import type { ProjectPatch } from "../diagnosis/rule.js";
import type { CodeFinding } from "../diagnosis/types.js";
import { parsePatch } from "../github/diff.js";
import type { PrFile } from "../github/pr-files.js";
import { introduced, type ReportMode } from "./introduced.js";

/** One side (head or base) of the pull request's project. */
export interface ProjectSide {
  project: Project;
  /** Project file texts by path (absent files left out). */
  files: Map<string, string>;
}

export function projectSide(texts: ReadonlyMap<string, string | null>): ProjectSide {
  const files = new Map<string, string>();
  for (const [path, text] of texts) if (text !== null) files.set(path, text);
  return { project: readProject(files), files };
}

/** The context of a changed module on one side. */
export function contextAt(side: ProjectSide | null, path: string): FileContext | undefined {
  return side === null ? undefined : fileContext(side.project, path);
}

/** What the scanned code tells the project sides (module-level patches, the calls they asked for). */
export type { CodeFacts } from "../diagnosis/project/side.js";

/**
 * Packages the PR adds whose risk rests on calls in code it may not touch, and the modules to
 * look for (`mysql-connector-python` → `mysql.connector`). Empty unless the head runs patched.
 */
export function modulesToSearch(
  sides: { head: ProjectSide; base: ProjectSide },
  headPatches: ProjectPatch[],
  callModulesFor: (pkg: string) => string[],
): string[] {
  if (sides.head.project.runs.length === 0 && headPatches.length === 0) return [];
  const added = sides.head.project.deps.all
    .filter((d) => !d.constraint && !sides.base.project.deps.has(d.name))
    .map((d) => d.name);
  return [...new Set(added.flatMap(callModulesFor))];
}

function findingsAt(side: ProjectSide, code: CodeFacts, filter: RuleFilter): CodeFinding[] {
  return manifestFindings(side.project, side.files, code, filter);
}

/**
 * Manifest findings the PR introduced: a head finding whose line the PR added, or that the base
 * does not have (the PR added the dependency, changed its version, or made the project run
 * patched). In `changed-files` mode, every head finding on a manifest the PR changed.
 */
export function projectFindingsOfPr(
  sides: { head: ProjectSide; base: ProjectSide },
  patches: { head: CodeFacts; base: CodeFacts },
  changed: PrFile[],
  filter: RuleFilter,
  mode: ReportMode,
): CodeFinding[] {
  const head = findingsAt(sides.head, patches.head, filter);
  if (head.length === 0) return [];
  const base = new Set(findingsAt(sides.base, patches.base, filter).map((f) => f.fingerprint));
  const byPath = new Map(changed.map((f) => [f.filename, f]));
  const out: CodeFinding[] = [];
  for (const file of new Set(head.map((f) => f.file))) {
    const pr = byPath.get(file);
    const mine = head.filter((f) => f.file === file);
    if (mode === "changed-files") {
      if (pr) append(out, mine);
      continue;
    }
    const added = pr ? parsePatch(pr.patch).added : new Set<number>();
    append(out, introduced({ head: mine, base, added }, "added"));
  }
  return out;
}
