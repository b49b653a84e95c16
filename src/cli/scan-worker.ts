/** Worker thread for parallel scans: parses and analyses sources posted by scan-pool. */
import { parentPort } from "node:worker_threads";
import { createEngine } from "../diagnosis/engine.js";
import type { FileContext } from "../diagnosis/project/project.js";
import type { Dependency } from "../diagnosis/project/requirement.js";

export interface ScanJob {
  id: number;
  path: string;
  source: string;
  disabled: string[];
  /** What the project says about the module; null outside a folder scan. */
  context: FileContext | null;
  /** The project's dependency list, sent before as a `DepsMessage`. */
  deps?: number;
}

/** A project's dependency list, sent to every worker once (a module's job names it by id). */
export interface DepsMessage {
  depsId: number;
  deps: readonly Dependency[];
}

const depsById = new Map<number, readonly Dependency[]>();

const engine = await createEngine();
parentPort?.on("message", (m: ScanJob | DepsMessage) => {
  if ("depsId" in m) {
    depsById.set(m.depsId, m.deps);
    return;
  }
  const job = m;
  try {
    const deps = job.deps === undefined ? undefined : depsById.get(job.deps);
    const context = job.context && deps ? { ...job.context, deps } : job.context;
    const disabled = new Set(job.disabled);
    const r = engine.scanSource(
      job.path,
      job.source,
      { enabled: (id) => !disabled.has(id) },
      context ?? undefined,
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
