/** Worker thread for parallel scans: parses and analyses sources posted by scan-pool. */
import { parentPort } from "node:worker_threads";
import { createEngine } from "../diagnosis/engine.js";

export interface ScanJob {
  id: number;
  path: string;
  source: string;
  disabled: string[];
}

const engine = await createEngine();
parentPort?.on("message", (job: ScanJob) => {
  try {
    const disabled = new Set(job.disabled);
    const r = engine.scanSource(job.path, job.source, { enabled: (id) => !disabled.has(id) });
    parentPort?.postMessage({ id: job.id, findings: r.findings, parsed: r.parsed });
  } catch (e) {
    parentPort?.postMessage({ id: job.id, error: (e as Error).message ?? String(e) });
  }
});
