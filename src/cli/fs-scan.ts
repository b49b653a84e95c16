/** Walk paths on disk and scan Python files with the engine. The CLI's I/O side. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { type Engine, mayPatch, type RuleFilter, withoutCovered } from "../diagnosis/engine.js";
import { type FileContext, isProjectFile } from "../diagnosis/project/project.js";
import { REGISTRY } from "../diagnosis/registry.js";
import {
  type CodeFacts,
  contextOf,
  patchedByCode,
  projectFindings,
  readProjectFiles,
  rel,
  replaceFindings,
  type ScannedProject,
} from "./project-scan.js";
import { decodeSource, MAX_FILE_BYTES, type Relevant, type ScanReport } from "./source-file.js";

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
    const scanned = isDir ? readProjectFiles(root, projectFiles, files, report) : null;
    if (scanned) projects.push(scanned);
    for (const file of files) {
      let context: FileContext | null = null;
      const source = readSource(file, report, (buf) => {
        if (scanned) context = contextOf(scanned, rel(root, file), buf);
        return context;
      });
      if (source !== null) yield { path: file, source, context };
    }
  }
}

function readSource(
  file: string,
  report: ScanReport,
  contextFor: (buf: Buffer) => FileContext | null,
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
  const context = contextFor(buf);
  const relevant =
    REGISTRY.prefilter(buf) ||
    (context !== null &&
      ((context.run !== null && REGISTRY.prefilterPatched(buf)) ||
        context.localTrio !== undefined ||
        REGISTRY.mayCallForProject(buf) ||
        mayPatch(buf)));

  return relevant ? (decodeSource(buf) ?? "") : null;
}

export function emptyReport(): ScanReport {
  return { findings: [], files: 0, parsed: 0, bytes: 0, skipped: [] };
}

/** Scan on this thread (see scan-pool.ts for the multi-core version). */
export function scanPaths(engine: Engine, paths: string[], filter: RuleFilter = {}): ScanReport {
  const report = emptyReport();
  const projects: ScannedProject[] = [];
  const code: CodeFacts = { patches: [], calls: [] };
  for (const { path, source, context } of relevantSources(paths, report, projects)) {
    const r = engine.scanSource(path, source, filter, context ?? undefined);
    if (r.parsed) report.parsed++;
    report.findings.push(...r.findings);
    code.patches.push(...r.patches);
    code.calls.push(...r.calls);
  }
  const again = patchedByCode(projects, code.patches);
  const second = again.map((r) => engine.scanSource(r.path, r.source, filter, r.context ?? undefined));
  replaceFindings(
    report,
    again,
    second.flatMap((r) => r.findings),
  );
  code.calls.push(...second.flatMap((r) => r.calls));
  report.findings.push(...withoutCovered(projectFindings(projects, code, filter), report.findings));
  return report;
}

export { decodeSource, MAX_FILE_BYTES, type Relevant, type ScanReport } from "./source-file.js";
