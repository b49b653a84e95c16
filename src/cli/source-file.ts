/** What the scan reads: a source file's bytes, decoded, and the report it adds to. */
import { MAX_FINDINGS_PER_FILE } from "../diagnosis/engine.js";
import type { FileContext } from "../diagnosis/project/project.js";
import type { UnusedIgnore } from "../diagnosis/suppressions.js";
import type { CodeFinding } from "../diagnosis/types.js";

/**
 * Python files larger than this are skipped: such a file is generated, and parsing it can cost two
 * hundred times its size in memory (measured: 4 MB of calls took 0.9 GB; 20 MB, 4.8 GB and 68 s).
 */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;

export interface ScanReport {
  findings: CodeFinding[];
  files: number;
  parsed: number;
  bytes: number;
  skipped: { path: string; reason: string }[];
  /**
   * Main-thread time spent on the project context (manifests, run configs, module contexts, the
   * import graph, the second pass's bookkeeping, manifest findings), in ms. Parsing is not in it.
   */
  projectMs: number;
  /** Suppression comments that silenced nothing, by file. */
  unusedIgnores: (UnusedIgnore & { path: string })[];
  /** Test files not analysed (`tests: false`). */
  testFiles: number;
}

/** Count one scanned file: parsed, or listed as skipped when its parse ran out of time. */
export function tally(
  report: ScanReport,
  path: string,
  r: { parsed: boolean; incomplete?: boolean; more?: boolean },
): void {
  if (r.parsed) report.parsed++;
  if (r.more)
    report.skipped.push({
      path,
      reason: `more than ${MAX_FINDINGS_PER_FILE} findings: the first ${MAX_FINDINGS_PER_FILE} (by line) are listed`,
    });
  if (r.incomplete)
    report.skipped.push({
      path,
      reason: "parsing stopped at its time budget (the file is too large or too unusual)",
    });
}

/** Run `fn`, adding its duration to the report's project time. */
export function timed<T>(report: ScanReport, fn: () => T): T {
  const t = performance.now();
  try {
    return fn();
  } finally {
    report.projectMs += performance.now() - t;
  }
}

/** Decode bytes as UTF-8 (invalid sequences replaced); null for binary content. */
export function decodeSource(buf: Buffer): string | null {
  const head = buf.subarray(0, 8192);
  if (head.includes(0)) return null;
  return new TextDecoder("utf-8", { fatal: false }).decode(buf);
}

/**
 * A manifest or run config as text: UTF-8 (a BOM dropped), or UTF-16 with its BOM (what
 * PowerShell's `pip freeze > requirements.txt` writes); null for anything else with NUL bytes.
 */
export function decodeText(buf: Buffer): string | null {
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe)
    return new TextDecoder("utf-16le").decode(buf.subarray(2));
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff)
    return new TextDecoder("utf-16be").decode(buf.subarray(2));
  return decodeSource(buf);
}

/** A source worth parsing, with what its project says about it. */
export interface Relevant {
  path: string;
  source: string;
  /** What the project says about the module; null outside a folder scan. */
  context: FileContext | null;
}
