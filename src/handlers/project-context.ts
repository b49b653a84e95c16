/**
 * A pull request's project context: the manifests and run configs at its head and base, the
 * context each changed module gets from them, and the findings on manifest lines that the PR
 * introduced. Pure: the texts come from the batched content request.
 */

import { append } from "../diagnosis/append.js";
import type { RuleFilter } from "../diagnosis/engine.js";
import { type FileContext, fileContext, type Project, readProject } from "../diagnosis/project/project.js";
import { projectRoots, RootIndex } from "../diagnosis/project/roots.js";
import { type CodeFacts, manifestFindings } from "../diagnosis/project/side.js";
import type { ProjectPatch } from "../diagnosis/rule.js";
import type { CodeFinding } from "../diagnosis/types.js";
import { parsePatch } from "../github/diff.js";
import type { PrFile } from "../github/pr-files.js";
import { introduced, type ReportMode } from "./introduced.js";

/** One manifest root's project (repository-relative paths; "" is the repository's own). */
export interface ProjectPart {
  root: string;
  project: Project;
  /** Its project file texts by path. */
  files: Map<string, string>;
}

/**
 * One side (head or base) of the pull request's project: each folder with a manifest of its own
 * is a project of its own (a monorepo's sub-projects are read apart; diagnosis/project/roots.ts).
 */
export interface ProjectSide {
  parts: ProjectPart[];
  /** Which part owns a path. */
  owner: (path: string) => ProjectPart | undefined;
}

export function projectSide(texts: ReadonlyMap<string, string | null>): ProjectSide {
  const present = [...texts].filter((e): e is [string, string] => e[1] !== null);
  const index = new RootIndex(projectRoots(present.map(([path]) => path)));
  const byRoot = new Map<string, Map<string, string>>();
  for (const [path, text] of present) {
    const root = index.owner(path);
    let files = byRoot.get(root);
    if (!files) {
      files = new Map();
      byRoot.set(root, files);
    }
    files.set(path, text);
  }
  const parts = [...byRoot].map(([root, files]) => ({ root, files, project: readProject(files) }));
  const byName = new Map(parts.map((p) => [p.root, p]));
  return { parts, owner: (path) => byName.get(index.owner(path)) };
}

/** The context of a changed module on one side: from the project that owns it. */
export function contextAt(side: ProjectSide | null, path: string): FileContext | undefined {
  if (side === null) return undefined;
  return fileContext(side.owner(path)?.project ?? null, path);
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
  if (sides.head.parts.every((p) => p.project.runs.length === 0) && headPatches.length === 0) return [];
  const inBase = (name: string) => sides.base.parts.some((p) => p.project.deps.has(name));
  const added = sides.head.parts
    .flatMap((p) => p.project.deps.all)
    .filter((d) => !d.constraint && !inBase(d.name))
    .map((d) => d.name);
  return [...new Set(added.flatMap(callModulesFor))];
}

/** Each part's manifest findings, from the patches and calls of the modules it owns. */
function findingsAt(side: ProjectSide, code: CodeFacts, filter: RuleFilter): CodeFinding[] {
  const out: CodeFinding[] = [];
  for (const part of side.parts) {
    const own = (file: string) => side.owner(file) === part;
    const facts: CodeFacts = {
      patches: code.patches.filter((p) => own(p.file)),
      calls: code.calls.filter((c) => own(c.file)),
    };
    append(out, manifestFindings(part.project, part.files, facts, filter));
  }
  return out;
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
