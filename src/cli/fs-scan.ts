/** Walk paths on disk and scan Python files with the engine. The CLI's I/O side. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Engine, RuleFilter } from "../diagnosis/engine.js";
import { REGISTRY } from "../diagnosis/registry.js";
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
export function listPythonFiles(paths: string[], skipped: ScanReport["skipped"]): string[] {
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
      } else if (e.isFile() && isPython(e.name)) out.push(p);
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

/**
 * Walk the paths and yield the Python sources worth parsing (read, not binary, past the
 * prefilter), counting files and bytes and recording skips in `report` on the way.
 */
export function* relevantSources(
  paths: string[],
  report: ScanReport,
): Generator<{ path: string; source: string }> {
  for (const file of listPythonFiles(paths, report.skipped)) {
    let buf: Buffer;
    try {
      if (statSync(file).size > MAX_FILE_BYTES) {
        report.skipped.push({ path: file, reason: `larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB` });
        continue;
      }
      buf = readFileSync(file);
    } catch (e) {
      report.skipped.push({
        path: file,
        reason: `unreadable (${(e as NodeJS.ErrnoException).code ?? "error"})`,
      });
      continue;
    }
    report.files++;
    report.bytes += buf.length;
    if (buf.subarray(0, 8192).includes(0)) {
      report.skipped.push({ path: file, reason: "binary content" });
      continue;
    }
    // Prefilter the bytes first: only the few files that pass are decoded.
    if (REGISTRY.prefilter(buf)) yield { path: file, source: decodeSource(buf) ?? "" };
  }
}

export function emptyReport(): ScanReport {
  return { findings: [], files: 0, parsed: 0, bytes: 0, skipped: [] };
}

/** Scan on this thread (see scan-pool.ts for the multi-core version). */
export function scanPaths(engine: Engine, paths: string[], filter: RuleFilter = {}): ScanReport {
  const report = emptyReport();
  for (const { path, source } of relevantSources(paths, report)) {
    const r = engine.scanSource(path, source, filter);
    if (r.parsed) report.parsed++;
    report.findings.push(...r.findings);
  }
  return report;
}
