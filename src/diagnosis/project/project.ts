/**
 * A project as the code rules see it: its dependencies with versions, and how it runs patched
 * (worker configs and command lines, plus module-level patch calls in its own modules).
 */
import { isTestPath } from "../paths.js";
import { type Dependencies, readDependencies } from "./dependencies.js";
import { manifestKind } from "./manifests.js";
import { isRunConfig, type PatchedRun, readRuns } from "./runs.js";

export interface Project {
  deps: Dependencies;
  /** Runs declared by configs and command lines. */
  runs: PatchedRun[];
}

/** What one module knows of its project. */
export interface FileContext {
  /** The run that loads this module patched, when a config says so. */
  run: PatchedRun | null;
}

/** Is this project file read for the project context (a manifest or a run config)? */
export function isProjectFile(path: string): boolean {
  return manifestKind(path) !== null || isRunConfig(path);
}

/** Read the project context from its manifests and run configs (project-relative paths). */
export function readProject(files: ReadonlyMap<string, string>): Project {
  const runs: PatchedRun[] = [];
  for (const [path, text] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    runs.push(...readRuns(path, text));
  return { deps: readDependencies(files), runs };
}

/** The context of one module: the first run whose folder holds it (test modules: none). */
export function fileContext(project: Project | null, path: string): FileContext {
  if (project === null) return { run: null };
  const run = isTestPath(path)
    ? null
    : (project.runs.find((r) => r.scope === "" || path.startsWith(`${r.scope}/`)) ?? null);
  return { run };
}
