/** Walk paths on disk and scan Python files with the engine. The CLI's I/O side. */

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { append } from "../diagnosis/append.js";
import { type Engine, mayPatch, type RuleFilter, withoutCovered } from "../diagnosis/engine.js";
import { isTestPath } from "../diagnosis/paths.js";
import { type FileContext, isProjectFile } from "../diagnosis/project/project.js";
import { REGISTRY } from "../diagnosis/registry.js";
import { fileProjects } from "./file-project.js";
import { type FilterOptions, NO_FILTER, PathFilter, SKIP_DIRS } from "./path-filter.js";
import { projectFindings, settled } from "./project-findings.js";
import { splitProjects } from "./project-roots.js";
import {
  addScanned,
  addSecondPass,
  type CodeFacts,
  contextOf,
  readProjectFiles,
  rel,
  type Scanned,
  type ScannedProject,
  secondPass,
} from "./project-scan.js";
import { decodeSource, MAX_FILE_BYTES, type Relevant, type ScanReport, timed } from "./source-file.js";

/** Words that make a module matter to its project: a patch call, an import guard, a call a project side reads. */
const HINTS = [
  "patch_all",
  "monkey_patch",
  "ImportError",
  "ModuleNotFoundError",
  ...REGISTRY.projectCalls,
].map((w) => (w.includes(".") ? (w.split(".").slice(-2, -1)[0] ?? w) : w));
const PROJECT_HINTS = new RegExp(HINTS.join("|"));
/** The rules' first pass and the project's hints in one: most modules have none of them. */
const ANY_NEEDLE = new RegExp(
  [...REGISTRY.screenNeedles, ...HINTS].map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"),
);

/** Sources held back until the module-level patches are known (beyond this, a second parse). */
const MAX_HELD_BYTES = 64 * 1024 * 1024;

function isPython(name: string): boolean {
  return name.endsWith(".py") || name.endsWith(".pyi");
}

/**
 * Expand paths into Python files, skipping virtualenvs, VCS/dependency folders and what the
 * filter leaves out (relative to each folder given; a file given by name, relative to the
 * current folder).
 */
export function listPythonFiles(
  paths: string[],
  skipped: ScanReport["skipped"],
  projectFiles?: string[],
  filter: FilterOptions = NO_FILTER,
): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string, f: PathFilter) => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      skipped.push({
        path: dir,
        reason: `unreadable directory (${(e as NodeJS.ErrnoException).code ?? "error"})`,
      });
      return;
    }
    if (entries.some((e) => e.name === "pyvenv.cfg")) return; // a virtualenv
    if (entries.some((e) => e.name === ".gitignore")) f.enter(rel); // no read attempt elsewhere
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = join(dir, e.name);
      const r = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name) && !f.skips(r, true)) walk(p, r, f);
      } else if (e.isFile()) {
        if (f.skips(r, false)) continue;
        if (isPython(e.name) && f.analyses(r)) out.push(p);
        if (projectFiles && isProjectFile(p)) projectFiles.push(p);
      }
    }
  };
  let byName: PathFilter | null = null;
  for (const p of paths) {
    let st: import("node:fs").Stats;
    try {
      st = statSync(p);
    } catch (e) {
      skipped.push({ path: p, reason: `not found (${(e as NodeJS.ErrnoException).code ?? "error"})` });
      continue;
    }
    if (st.isDirectory()) walk(p, "", new PathFilter(p, filter));
    else {
      // A file named on the command line (pre-commit passes them): the exclude globs still apply.
      byName ??= new PathFilter(".", { ...filter, include: [], gitignore: false });
      const r = relative(".", p).split(sep).join("/");
      if (r.startsWith("..") || !byName.skips(r, false)) out.push(p);
    }
  }
  return out;
}

/**
 * Walk the paths and yield the Python sources worth parsing (read, not binary, past the
 * prefilter), counting files and bytes and recording skips in `report` on the way. A folder is
 * read as a project first (`projects` receives it): its run configs may patch the modules.
 */
export function* relevantSources(
  paths: string[],
  report: ScanReport,
  projects: ScannedProject[] = [],
  held?: Relevant[],
  filter: FilterOptions = NO_FILTER,
  tick?: () => void,
  /** Called once a folder is listed, with its number of Python files. */
  listed?: (files: number) => void,
): Generator<Relevant> {
  let heldBytes = 0;
  const isDir = paths.map((root) => {
    try {
      return statSync(root).isDirectory();
    } catch {
      return false;
    }
  });
  // The files named one by one (pre-commit passes hundreds) get their projects in one go: each
  // project folder is listed and read once, not once per file.
  let named: Map<string, ScannedProject> | null = null;
  const namedOwners = () => {
    const singles = paths.filter((_, i) => !isDir[i]);
    named ??= fileProjects(listPythonFiles(singles, [], undefined, filter), filter, report, projects);
    return named;
  };
  for (const [i, root] of paths.entries()) {
    const dir = isDir[i] === true;
    const projectFiles: string[] = [];
    const files = listPythonFiles([root], report.skipped, dir ? projectFiles : undefined, filter);
    listed?.(files.length);
    // Each folder with a manifest of its own is a project of its own (see roots.ts).
    const owners = dir ? new Map<string, ScannedProject>() : namedOwners();
    if (dir)
      for (const part of splitProjects(root, projectFiles, files)) {
        const scanned = timed(report, () =>
          readProjectFiles(part.root, part.projectFiles, part.python, report, filter.texts),
        );
        projects.push(scanned);
        for (const f of part.python) owners.set(f, scanned);
      }
    for (const file of files) {
      tick?.();
      // Test files are reported only when asked for: then they are not worth reading either.
      if (filter.tests === false && isTestPath(dir ? rel(root, file) : file)) {
        report.testFiles++;
        continue;
      }
      let context: FileContext | null = null;
      let hold = false;
      const scanned = owners.get(file);
      const source = readSource(
        file,
        report,
        (buf) => {
          if (!scanned) return { context: null };
          const path = rel(scanned.root, file);
          // One decode and two passes (the rules' needles, the project's) answer every question.
          const text = buf.toString("latin1");
          const any = ANY_NEEDLE.test(text);
          const screened = any ? REGISTRY.screen(text) : { plain: false, patched: false };
          const t = performance.now();
          const hints = any && PROJECT_HINTS.test(text);
          const patch = hints && mayPatch(text);
          context = contextOf(
            scanned,
            path,
            buf,
            undefined,
            hints && (text.includes("ImportError") || text.includes("ModuleNotFoundError")),
          );
          // A module that would matter if a module-level patch loads it waits for the patches to
          // be known (parsed once, with its final context), within a memory bound.
          const marked = context.run === null && screened.patched && !patch;
          scanned.graph.mark(path, marked);
          const call = hints && scanned.wantsCalls && REGISTRY.mayCallForProject(text);
          // A module parsed anyway goes now (the threads need not wait for the walk); should a
          // module-level patch turn out to load it, the second pass parses it again with that run.
          const parsedAnyway = screened.plain || call || context.localTrio !== undefined;
          if (marked && !parsedAnyway && held !== undefined && heldBytes + buf.length <= MAX_HELD_BYTES) {
            hold = true;
            heldBytes += buf.length;
            scanned.held.add(path);
          }
          report.projectMs += performance.now() - t;
          return { context, ...screened, patch, call };
        },
        () => hold,
        filter.suppressions === true,
      );
      if (source === null) continue;
      if (hold) held?.push({ path: file, source, context });
      else yield { path: file, source, context };
    }
  }
}

function readSource(
  file: string,
  report: ScanReport,
  /** The module's context, and the prefilters when they were already asked. */
  contextFor: (buf: Buffer) => {
    context: FileContext | null;
    plain?: boolean;
    patched?: boolean;
    patch?: boolean;
    call?: boolean;
  },
  keep: () => boolean = () => false,
  suppressions = false,
): string | null {
  let buf: Buffer;
  try {
    if (statSync(file).size > MAX_FILE_BYTES) {
      report.skipped.push({ path: file, reason: `larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB` });
      return null;
    }
    buf = readFileSync(file);
  } catch (e) {
    report.skipped.push({
      path: file,
      reason: `unreadable (${(e as NodeJS.ErrnoException).code ?? "error"})`,
    });
    return null;
  }
  report.files++;
  report.bytes += buf.length;
  if (buf.subarray(0, 8192).includes(0)) {
    report.skipped.push({ path: file, reason: "binary content" });
    return null;
  }
  // Prefilter the bytes first: only the few files that pass are decoded.
  // In a folder scan, module-level patches tell how the project runs: those files are read too.
  const { context, plain, patched, patch, call } = contextFor(buf);
  if (keep()) return decodeSource(buf) ?? "";
  const relevant =
    (plain ?? REGISTRY.prefilter(buf)) ||
    (context !== null &&
      ((context.run !== null && (patched ?? REGISTRY.prefilterPatched(buf))) ||
        context.localTrio !== undefined ||
        (call ?? REGISTRY.mayCallForProject(buf)) ||
        (patch ?? mayPatch(buf))));

  if (!relevant && suppressions && buf.includes("async-doctor:")) return decodeSource(buf) ?? "";
  return relevant ? (decodeSource(buf) ?? "") : null;
}

export function emptyReport(): ScanReport {
  return {
    findings: [],
    files: 0,
    parsed: 0,
    bytes: 0,
    skipped: [],
    projectMs: 0,
    unusedIgnores: [],
    testFiles: 0,
  };
}

/** Scan on this thread (see scan-pool.ts for the multi-core version). */
export function scanPaths(
  engine: Engine,
  paths: string[],
  filter: RuleFilter = {},
  options: FilterOptions = NO_FILTER,
): ScanReport {
  const report = emptyReport();
  const projects: ScannedProject[] = [];
  const code: CodeFacts = { patches: [], calls: [] };
  const held: Relevant[] = [];
  const scan = (r: Relevant): Scanned => ({
    path: r.path,
    ...engine.scanSource(r.path, r.source, filter, r.context ?? undefined),
  });
  for (const r of relevantSources(paths, report, projects, held, options)) addScanned(report, code, scan(r));
  const pass = timed(report, () => secondPass(projects, code.patches, held));
  addSecondPass(report, code, pass, [...pass.fresh, ...pass.again].map(scan));
  report.findings = settled(projects, code, report.findings);
  append(
    report.findings,
    timed(report, () => withoutCovered(projectFindings(projects, code, filter), report.findings)),
  );
  return report;
}

export { decodeSource, MAX_FILE_BYTES, type Relevant, type ScanReport } from "./source-file.js";
