/**
 * A folder scanned as a project: its manifests and run configs, its import graph, the context
 * each module gets from them, the second pass over modules that a module-level patch loads, and
 * the findings on manifest lines.
 */
import { readFileSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { append } from "../diagnosis/append.js";
import type { ScanResult } from "../diagnosis/engine.js";
import { isTestPath } from "../diagnosis/paths.js";
import { MAX_MANIFEST_BYTES } from "../diagnosis/project/manifests.js";
import { ModuleGraph } from "../diagnosis/project/modules.js";
import {
  type FileContext,
  fileContext,
  localTrioImports,
  type Project,
  readProject,
  scopeRuns,
} from "../diagnosis/project/project.js";
import type { PatchedRun } from "../diagnosis/project/runs.js";
import type { CodeFacts } from "../diagnosis/project/side.js";
import { REGISTRY } from "../diagnosis/registry.js";
import type { ProjectPatch } from "../diagnosis/rule.js";
import { ownerOf } from "./project-roots.js";
import {
  decodeSource,
  decodeText,
  MAX_FILE_BYTES,
  type Relevant,
  type ScanReport,
  tally,
} from "./source-file.js";

/** One folder given on the command line, read as a project: manifests and run configs. */
export interface ScannedProject {
  root: string;
  project: Project;
  /** Manifest texts by project path. */
  files: Map<string, string>;
  /** The project's Python modules and their imports (read on demand). */
  graph: ModuleGraph;
  /** Read for a file named on the command line: its context only, no manifest findings. */
  contextOnly?: boolean;
  /** Modules held back for the second pass (project paths). */
  held: Set<string>;
  /** Whether the project rules read this project's calls (it has a package they matter with). */
  wantsCalls: boolean;
  /**
   * Whether trio can be installed with the project: it declares trio (a dependency or an extra
   * such as `httpx[trio]`), or declares nothing. Guards around project modules that import trio
   * are looked for only then.
   */
  trioPossible: boolean;
}

/** Project-relative path with forward slashes. */
export function rel(root: string, path: string): string {
  return relative(root, path).split(sep).join("/");
}

/** A source for the import graph (bytes): small enough, readable, not binary; null otherwise. */
function readForGraph(path: string): Buffer | null {
  try {
    if (statSync(path).size > MAX_FILE_BYTES) return null;
    const buf = readFileSync(path);
    return buf.subarray(0, 8192).includes(0) ? null : buf;
  } catch {
    return null;
  }
}

export function readProjectFiles(
  root: string,
  paths: string[],
  python: string[],
  report: ScanReport,
  /** Texts that stand in for these files on disk, by absolute path (an editor's buffers). */
  texts?: ReadonlyMap<string, string>,
): ScannedProject {
  const files = new Map<string, string>();
  for (const p of paths) {
    const open = texts?.get(resolve(p));
    if (open !== undefined) {
      if (open.length <= MAX_MANIFEST_BYTES) files.set(rel(root, p), open);
      else report.skipped.push({ path: p, reason: "larger than 4 MiB" });
      continue;
    }
    try {
      if (statSync(p).size > MAX_MANIFEST_BYTES) {
        report.skipped.push({ path: p, reason: "larger than 4 MiB" });
        continue;
      }
      const text = decodeText(readFileSync(p));
      if (text === null)
        report.skipped.push({ path: p, reason: "not text (binary, or an unknown encoding)" });
      else files.set(rel(root, p), text);
    } catch (e) {
      report.skipped.push({
        path: p,
        reason: `unreadable (${(e as NodeJS.ErrnoException).code ?? "error"})`,
      });
    }
  }
  const project = readProject(files);
  for (const problem of project.deps.problems)
    report.skipped.push({ path: join(root, problem.file), reason: problem.reason });
  const graph = new ModuleGraph(
    python.map((p) => rel(root, p)),
    (path) => readForGraph(join(root, path)),
  );
  scopeRuns(project, graph);
  const wantsCalls = REGISTRY.callsMatter(project.deps.all);
  const deps = project.deps.all;
  const trioPossible = deps.length === 0 || deps.some((d) => d.name === "trio" || d.extras.includes("trio"));
  return { root, project, files, graph, held: new Set(), wantsCalls, trioPossible };
}

/**
 * What the project says about one module, given its bytes (a candidate guard needs a look at its
 * imports; `guard` says whether it has one when the caller already looked).
 */
export function contextOf(
  scanned: ScannedProject,
  path: string,
  buf: Buffer,
  run?: PatchedRun,
  guard?: boolean,
): FileContext {
  const context: FileContext = fileContext(scanned.project, path);
  if (run) context.run = run;
  if (
    scanned.trioPossible &&
    (guard ?? (buf.includes("ImportError") || buf.includes("ModuleNotFoundError")))
  ) {
    const localTrio = localTrioImports(scanned.graph, path);
    if (localTrio) context.localTrio = localTrio;
  }
  return context;
}

/** The runs that module-level patches give the modules they load (no run config patches them). */
export function codeRuns(scanned: ScannedProject, codePatches: ProjectPatch[]): Map<string, PatchedRun> {
  const { root, graph } = scanned;
  const entries = codePatches
    .map((p) => ({ ...p, file: rel(root, p.file) }))
    .filter((p) => !p.file.startsWith("..") && !isTestPath(p.file) && graph.has(p.file))
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  const runs = new Map<string, PatchedRun>();
  for (const e of entries)
    for (const [path, chain] of graph.reachable(e.file, e.line)) {
      if (runs.has(path) || isTestPath(path) || fileContext(scanned.project, path).run !== null) continue;
      runs.set(path, {
        patcher: e.patcher,
        via: "code",
        file: e.file,
        line: e.line,
        text: e.text,
        scope: "",
        chain,
      });
    }
  return runs;
}

/**
 * The second pass, once the module-level patches are known: the modules they load (the patching
 * module imports them after the patch, directly or through other project modules) run patched
 * too. `fresh`: the held-back modules, with their final context, when they are worth parsing.
 * `again`: modules already scanned without that run (beyond the hold bound) to scan again.
 */
export function secondPass(
  projects: ScannedProject[],
  codePatches: ProjectPatch[],
  held: Relevant[],
): { fresh: Relevant[]; again: Relevant[] } {
  const fresh: Relevant[] = [];
  const again: Relevant[] = [];
  const runsOf = new Map(projects.map((p) => [p, codeRuns(p, codePatches)]));
  for (const h of held) {
    const scanned = ownerOf(projects, h.path);
    const run = scanned ? runsOf.get(scanned)?.get(rel(scanned.root, h.path)) : undefined;
    if (run && h.context) fresh.push({ ...h, context: { ...h.context, run } });
    else if (
      REGISTRY.prefilter(h.source) ||
      h.context?.localTrio !== undefined ||
      (scanned?.wantsCalls === true && REGISTRY.mayCallForProject(h.source))
    )
      fresh.push(h);
  }
  for (const scanned of projects) {
    for (const [path, run] of runsOf.get(scanned) ?? []) {
      // Reaching a module read it for the graph: only the marked ones can change.
      if (!scanned.graph.isMarked(path) || scanned.held.has(path)) continue;
      const file = join(scanned.root, path);
      let buf: Buffer;
      try {
        if (statSync(file).size > MAX_FILE_BYTES) continue;
        buf = readFileSync(file);
      } catch {
        continue; // reported by the first pass
      }
      if (buf.subarray(0, 8192).includes(0)) continue;
      again.push({
        path: file,
        source: decodeSource(buf) ?? "",
        context: contextOf(scanned, path, buf, run),
      });
    }
  }
  return { fresh, again };
}

/** What the code scan tells the project sides: module-level patches and the calls they asked for. */
export type { CodeFacts } from "../diagnosis/project/side.js";

/** One scanned file's result, as both scan paths (this thread, worker threads) collect it. */
export type Scanned = Pick<
  ScanResult,
  "findings" | "parsed" | "incomplete" | "more" | "patches" | "calls" | "unusedIgnores"
> & {
  path: string;
};

/** Add a first-pass result: counted, its findings, its patches and calls for the project sides. */
export function addScanned(report: ScanReport, code: CodeFacts, r: Scanned): void {
  addFile(report, r);
  append(code.patches, r.patches);
  append(code.calls, r.calls);
}

/**
 * Add the second pass's results (`results`: the `fresh` modules', then the `again` ones'): the
 * rescanned files' findings replace the first pass's.
 */
export function addSecondPass(
  report: ScanReport,
  code: CodeFacts,
  pass: { fresh: Relevant[]; again: Relevant[] },
  results: Scanned[],
): void {
  const again = new Set(pass.again.map((r) => r.path));
  report.findings = report.findings.filter((f) => !again.has(f.file));
  report.unusedIgnores = report.unusedIgnores.filter((u) => !again.has(u.path));
  for (const r of results) {
    addFile(report, r);
    append(code.calls, r.calls);
  }
}

/** One file's result in the report: counted, its findings and its unused suppressions. */
function addFile(report: ScanReport, r: Scanned): void {
  tally(report, r.path, r);
  append(report.findings, r.findings);
  for (const u of r.unusedIgnores ?? []) report.unusedIgnores.push({ ...u, path: r.path });
}
