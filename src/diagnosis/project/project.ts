/**
 * A project as the code rules see it: its dependencies with versions, and how it runs patched
 * (worker configs and command lines, plus module-level patch calls in its own modules).
 */
import { budgetMs } from "../budget.js";
import { isTestPath } from "../paths.js";
import { type Dependencies, readDependencies } from "./dependencies.js";
import { manifestKind } from "./manifests.js";
import type { ImportLine, ImportStep, ModuleGraph } from "./modules.js";
import type { Dependency } from "./requirement.js";
import { isRunConfig, type PatchedRun, readRuns } from "./runs.js";

export interface Project {
  deps: Dependencies;
  /** Runs declared by configs and command lines. */
  runs: PatchedRun[];
  /**
   * The modules a run loads, when its entry is known and the import graph was read
   * (`scopeRuns`): the run applies to those only, not to its whole folder.
   */
  loads?: Map<PatchedRun, ReadonlySet<string>>;
}

/** What one module knows of its project. */
export interface FileContext {
  /** The run that loads this module patched: a run config, or a patching module that imports it. */
  run: PatchedRun | null;
  /**
   * Project modules this one imports (in an indented import: a candidate guard) that import trio
   * unconditionally when they load, keyed by the import as the parse writes it (`._trio`,
   * `pkg._trio`, `.._trio` for `from . import _trio`): the chain from the module to `import trio`.
   */
  localTrio?: Record<string, ImportStep[]>;
  /** The project's dependencies (a plain list: it crosses to worker threads), when it has any. */
  deps?: readonly Dependency[];
}

/** Is this project file read for the project context (a manifest or a run config)? */
export function isProjectFile(path: string): boolean {
  return manifestKind(path) !== null || isRunConfig(path);
}

/**
 * Read the project context from its manifests and run configs (project-relative paths), within
 * the input budget of their total size: what is left when it runs out is listed as a problem.
 */
export function readProject(files: ReadonlyMap<string, string>): Project {
  let chars = 0;
  for (const text of files.values()) chars += text.length;
  const deadline = performance.now() + budgetMs(chars);
  const runs: PatchedRun[] = [];
  for (const [path, text] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    for (const run of readRuns(path, text)) runs.push(run);
  return { deps: readDependencies(files, deadline), runs };
}

/** The context of one module: the first run whose folder holds it (test modules: none). */
export function fileContext(project: Project | null, path: string): FileContext {
  if (project === null) return { run: null };
  const run = isTestPath(path)
    ? null
    : (project.runs.find((r) => {
        const loads = project.loads?.get(r);
        return loads ? loads.has(path) : r.scope === "" || path.startsWith(`${r.scope}/`);
      }) ?? null);
  return project.deps.all.length > 0 ? { run, deps: project.deps.all } : { run };
}

/**
 * Scope the runs whose entry is known to what they load: locust imports its locustfiles (given,
 * or `locustfile.py` / `locustfile/` in the run's folder) and what they import, nothing else. A
 * locust run whose locustfile is not in the project (an image's bare `ENTRYPOINT ["locust"]`)
 * loads none of its modules.
 */
export function scopeRuns(project: Project, graph: ModuleGraph): void {
  for (const run of project.runs) {
    if (run.via !== "locust") continue;
    const at = (f: string) => (run.scope === "" ? f : `${run.scope}/${f}`);
    const named = run.entry ?? ["locustfile.py", "locustfile"];
    const entries: string[] = [];
    for (const f of named) {
      const p = at(f);
      if (graph.has(p)) entries.push(p);
      else if (graph.has(`${p}/__init__.py`)) entries.push(`${p}/__init__.py`);
      else if (graph.has(`${p}.py`)) entries.push(`${p}.py`);
    }
    const loads = new Set<string>(entries);
    for (const e of entries) for (const m of graph.reachable(e).keys()) loads.add(m);
    project.loads ??= new Map();
    project.loads.set(run, loads);
  }
}

const TRIO = new Set(["trio"]);

/**
 * The project modules that `path` imports in an indented (possibly guarded) import and that
 * import trio when they load; undefined when there are none.
 */
export function localTrioImports(graph: ModuleGraph, path: string): Record<string, ImportStep[]> | undefined {
  let out: Record<string, ImportStep[]> | undefined;
  for (const imp of graph.imports(path)) {
    if (imp.topLevel) continue;
    const written = `${".".repeat(imp.level)}${imp.module}`;
    const forms: { key: string; imp: ImportLine }[] = [{ key: written, imp: { ...imp, names: [] } }];
    for (const name of imp.names)
      if (name !== "*")
        forms.push({
          key: `${written}.${name}`,
          imp: { ...imp, module: imp.module === "" ? name : `${imp.module}.${name}`, names: [] },
        });
    for (const { key, imp: one } of forms) {
      const target = graph.resolve(path, one)[0];
      if (target === undefined || target === path) continue;
      const chain = graph.topLevelChain(target, TRIO);
      if (chain) {
        out ??= {};
        out[key] = chain;
      }
    }
  }
  return out;
}
