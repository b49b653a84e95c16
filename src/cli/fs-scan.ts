/** Walk paths on disk and scan Python files with the engine. The CLI's I/O side. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { type Engine, mayPatch, type RuleFilter, scanProject } from "../diagnosis/engine.js";
import { isTestPath } from "../diagnosis/paths.js";
import { MAX_MANIFEST_BYTES, manifestKind } from "../diagnosis/project/manifests.js";
import {
  type FileContext,
  fileContext,
  isProjectFile,
  type Project,
  readProject,
} from "../diagnosis/project/project.js";
import { REGISTRY } from "../diagnosis/registry.js";
import type { ProjectPatch } from "../diagnosis/rule.js";
import type { CodeFinding } from "../diagnosis/types.js";

const SKIP_DIRS = new Set([
  ".git",
  "node_modules",
  "__pycache__",
  ".tox",
  ".nox",
  ".mypy_cache",
  ".pytest_cache",
  "site-packages",
  ".venv",
  "venv",
  ".hg",
  ".svn",
]);
export const MAX_FILE_BYTES = 32 * 1024 * 1024;

export interface ScanReport {
  findings: CodeFinding[];
  files: number;
  parsed: number;
  bytes: number;
  skipped: { path: string; reason: string }[];
}

function isPython(name: string): boolean {
  return name.endsWith(".py") || name.endsWith(".pyi");
}

/** Expand paths into Python files, skipping virtualenvs and VCS/dependency folders. */
export function listPythonFiles(
  paths: string[],
  skipped: ScanReport["skipped"],
  projectFiles?: string[],
): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
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
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) walk(p);
      } else if (e.isFile()) {
        if (isPython(e.name)) out.push(p);
        if (projectFiles && isProjectFile(p)) projectFiles.push(p);
      }
    }
  };
  for (const p of paths) {
    let st: import("node:fs").Stats;
    try {
      st = statSync(p);
    } catch (e) {
      skipped.push({ path: p, reason: `not found (${(e as NodeJS.ErrnoException).code ?? "error"})` });
      continue;
    }
    if (st.isDirectory()) walk(p);
    else out.push(p);
  }
  return out;
}

/** Decode bytes as UTF-8 (invalid sequences replaced); null for binary content. */
export function decodeSource(buf: Buffer): string | null {
  const head = buf.subarray(0, 8192);
  if (head.includes(0)) return null;
  return new TextDecoder("utf-8", { fatal: false }).decode(buf);
}

/** A source worth parsing, with what its project says about it. */
export interface Relevant {
  path: string;
  source: string;
  /** What the project says about the module; null outside a folder scan. */
  context: FileContext | null;
}

/** One folder given on the command line, read as a project: manifests and run configs. */
export interface ScannedProject {
  root: string;
  project: Project;
  /** Manifest texts by project path. */
  files: Map<string, string>;
}

function readProjectFiles(root: string, paths: string[], report: ScanReport): ScannedProject {
  const files = new Map<string, string>();
  for (const p of paths) {
    try {
      if (statSync(p).size > MAX_MANIFEST_BYTES) {
        report.skipped.push({ path: p, reason: "larger than 4 MiB" });
        continue;
      }
      files.set(relative(root, p).split(sep).join("/"), decodeSource(readFileSync(p)) ?? "");
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
  return { root, project, files };
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
): Generator<Relevant> {
  for (const root of paths) {
    let isDir = false;
    try {
      isDir = statSync(root).isDirectory();
    } catch {}
    const projectFiles: string[] = [];
    const files = listPythonFiles([root], report.skipped, isDir ? projectFiles : undefined);
    const scanned = isDir ? readProjectFiles(root, projectFiles, report) : null;
    if (scanned) projects.push(scanned);
    for (const file of files) {
      const context = scanned
        ? fileContext(scanned.project, relative(root, file).split(sep).join("/"))
        : null;
      const source = readSource(file, report, context);
      if (source !== null) yield { path: file, source, context };
    }
  }
}

function readSource(file: string, report: ScanReport, context: FileContext | null): string | null {
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
  const relevant =
    REGISTRY.prefilter(buf) ||
    (context !== null && ((context.run !== null && REGISTRY.prefilterPatched(buf)) || mayPatch(buf)));

  return relevant ? (decodeSource(buf) ?? "") : null;
}

/**
 * The project findings of the scanned folders (manifest lines), once the code is scanned: the
 * module-level patches it found count as ways the project runs patched.
 */
export function projectFindings(
  projects: ScannedProject[],
  codePatches: ProjectPatch[],
  filter: RuleFilter,
): CodeFinding[] {
  const out: CodeFinding[] = [];
  for (const { root, project, files } of projects) {
    const own = codePatches
      .map((p) => ({ ...p, file: relative(root, p.file).split(sep).join("/") }))
      .filter((p) => !p.file.startsWith("..") && !isTestPath(p.file));
    const patched: ProjectPatch[] = [...project.runs, ...own];
    const manifests = new Map([...files].filter(([path]) => manifestKind(path) !== null));
    for (const f of scanProject({ deps: project.deps, patched, files: manifests }, filter))
      out.push({ ...f, file: join(root, f.file) });
  }
  return out;
}

export function emptyReport(): ScanReport {
  return { findings: [], files: 0, parsed: 0, bytes: 0, skipped: [] };
}

/** Scan on this thread (see scan-pool.ts for the multi-core version). */
export function scanPaths(engine: Engine, paths: string[], filter: RuleFilter = {}): ScanReport {
  const report = emptyReport();
  const projects: ScannedProject[] = [];
  const patches: ProjectPatch[] = [];
  for (const { path, source, context } of relevantSources(paths, report, projects)) {
    const r = engine.scanSource(path, source, filter, context ?? undefined);
    if (r.parsed) report.parsed++;
    report.findings.push(...r.findings);
    patches.push(...r.patches);
  }
  report.findings.push(...projectFindings(projects, patches, filter));
  return report;
}
