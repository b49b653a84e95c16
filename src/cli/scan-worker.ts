/** Worker thread for parallel scans: parses and analyses sources posted by scan-pool. */
import { parentPort } from "node:worker_threads";
import { createEngine } from "../diagnosis/engine.js";
import type { FileContext } from "../diagnosis/project/project.js";

export interface ScanJob {
  id: number;
  path: string;
  source: string;
  disabled: string[];
  /** What the project says about the module; null outside a folder scan. */
  context: FileContext | null;
}

const engine = await createEngine();
parentPort?.on("message", (job: ScanJob) => {
  try {
    const disabled = new Set(job.disabled);
    const r = engine.scanSource(
      job.path,
      job.source,
      { enabled: (id) => !disabled.has(id) },
      job.context ?? undefined,
    );
    parentPort?.postMessage({
      id: job.id,
      findings: r.findings,
      parsed: r.parsed,
      incomplete: r.incomplete ?? false,
      more: r.more ?? false,
      patches: r.patches,
      calls: r.calls,
      unusedIgnores: r.unusedIgnores ?? [],
    });
  } catch (e) {
    parentPort?.postMessage({ id: job.id, error: (e as Error).message ?? String(e) });
  }
});
