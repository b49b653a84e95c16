/**
 * The manifest findings of one project (its manifests, its run configs) once its code is known:
 * the code's module-level patches count as ways the project runs patched, and the calls the
 * project rules asked for are theirs to read. Test modules say nothing about how it runs.
 */
import { type RuleFilter, scanProject } from "../findings.js";
import { isTestPath } from "../paths.js";
import type { ProjectCall, ProjectFacts, ProjectPatch } from "../rule.js";
import type { CodeFinding } from "../types.js";
import { manifestKind } from "./manifests.js";
import type { Project } from "./project.js";

export interface CodeFacts {
  patches: ProjectPatch[];
  calls: ProjectCall[];
  /** All of the project's code was analysed (see `ProjectFacts.codeComplete`). */
  complete?: boolean;
}

export function manifestFindings(
  project: Project,
  files: ReadonlyMap<string, string>,
  code: CodeFacts,
  filter: RuleFilter,
  importChain?: ProjectFacts["importChain"],
): CodeFinding[] {
  const own = code.patches.filter((p) => !isTestPath(p.file));
  const manifests = new Map([...files].filter(([path]) => manifestKind(path) !== null));
  return scanProject(
    {
      deps: project.deps,
      patched: [...project.runs, ...own],
      files: manifests,
      calls: code.calls.filter((c) => !isTestPath(c.file)),
      ...(code.complete ? { codeComplete: true } : {}),
      ...(importChain ? { importChain } : {}),
    },
    filter,
  );
}
