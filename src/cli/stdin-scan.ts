/**
 * `scan -`: one source read from standard input (an editor's buffer, a pipe), named by
 * `--stdin-filename`. When that name sits in a project on disk, the project's manifests and run
 * configs give it its context, as for a file named on the command line.
 */
import { readSync } from "node:fs";
import { createEngine } from "../diagnosis/engine.js";
import { UsageError } from "./args.js";
import { fileProjects } from "./file-project.js";
import { emptyReport } from "./fs-scan.js";
import type { FilterOptions } from "./path-filter.js";
import { contextOf, rel, type ScannedProject } from "./project-scan.js";
import { decodeSource, MAX_FILE_BYTES, type ScanReport, tally } from "./source-file.js";

/** Standard input, up to the bound a file on disk has; more is a usage error, not a cut. */
export function readStdin(fd = 0): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  const buf = Buffer.alloc(64 * 1024);
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") continue; // a non-blocking pipe not ready yet
      if (code === "EOF") break;
      throw e;
    }
    if (n === 0) break;
    total += n;
    if (total > MAX_FILE_BYTES) throw new UsageError("standard input is larger than 4 MiB: not read");
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks);
}

export async function scanStdin(
  name: string,
  bytes: Buffer,
  disabled: readonly string[],
  filter: FilterOptions,
): Promise<ScanReport> {
  const report = emptyReport();
  const source = decodeSource(bytes);
  if (source === null) {
    report.skipped.push({ path: name, reason: "binary content" });
    return report;
  }
  const projects: ScannedProject[] = [];
  const owner = fileProjects([name], filter, report, projects).get(name);
  const context = owner ? contextOf(owner, rel(owner.root, name), bytes) : undefined;
  const engine = await createEngine();
  const off = new Set(disabled);
  const r = engine.scanSource(name, source, { enabled: (id) => !off.has(id) }, context);
  report.files = 1;
  tally(report, name, r);
  for (const f of r.findings) report.findings.push(f);
  return report;
}
