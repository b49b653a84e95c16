/**
 * Scan many files using all cores: the main thread walks, reads and prefilters (GB/s), and
 * worker threads do the tree-sitter parsing (MB/s). Small scans stay on the main thread.
 */

import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { append } from "../diagnosis/append.js";
import { createEngine, withoutCovered } from "../diagnosis/engine.js";
import type { Dependency } from "../diagnosis/project/requirement.js";
import { emptyReport, type Relevant, relevantSources, type ScanReport } from "./fs-scan.js";
import type { FilterOptions } from "./path-filter.js";
import { projectFindings, settled } from "./project-findings.js";
import {
  addScanned,
  addSecondPass,
  type CodeFacts,
  type Scanned,
  type ScannedProject,
  secondPass,
} from "./project-scan.js";
import type { DepsMessage, ScanJob } from "./scan-worker.js";
import { timed } from "./source-file.js";

type Pending = Relevant;
type Result = Scanned;

/**
 * Starting a worker (module load, grammar compile, first cold parse) was measured at about
 * 250 ms, and one core parses about 4 MB/s: threads pay off only past a few MB to parse.
 */
const PARALLEL_MIN_BYTES = 2 * 1024 * 1024;
/** Python files listed past which the threads start at once. */
const PARALLEL_MIN_FILES = 400;

/** The young generation of each parsing thread, in MiB (V8's default grows it to 48). */
const WORKER_YOUNG_MB = 6;

/** What a scan learnt beyond its findings: the projects and what the code told them. */
export interface ScanFacts {
  projects: ScannedProject[];
  code: CodeFacts;
}

export async function scanPathsParallel(
  paths: string[],
  opts: {
    disabled?: string[];
    workers?: number;
    filter?: FilterOptions;
    /** Called as files are read (files, bytes so far); cheap to call often. */
    progress?: (files: number, bytes: number) => void;
    /** Filled with the projects read and the code's module-level patches and calls. */
    facts?: ScanFacts;
  } = {},
): Promise<ScanReport> {
  const report = emptyReport();
  const disabled = opts.disabled ?? [];
  const pending: Pending[] = [];
  let workers: Worker[] | null = null;
  const inflight = new Map<
    number,
    { path: string; resolve: (v: Result) => void; reject: (e: Error) => void }
  >();
  const results: Promise<Result>[] = [];
  const projects: ScannedProject[] = opts.facts?.projects ?? [];
  const code: CodeFacts = opts.facts?.code ?? { patches: [], calls: [] };
  let nextId = 0;
  let rr = 0;
  const depsIds = new Map<readonly Dependency[], number>();
  const depsId = (pool: Worker[], deps: readonly Dependency[]): number => {
    let n = depsIds.get(deps);
    if (n === undefined) {
      n = depsIds.size;
      depsIds.set(deps, n);
      const msg: DepsMessage = { depsId: n, deps };
      for (const w of pool) w.postMessage(msg);
    }
    return n;
  };

  const startWorkers = () => {
    // This thread walks, reads and prefilters the whole time: one core is its own (on two cores,
    // one parsing thread finished the real-code corpus as fast as two, in 20 MiB less).
    const n = Math.max(1, Math.min(opts.workers ?? availableParallelism() - 1, 8));
    workers = [];
    for (let i = 0; i < n; i++) {
      // A parsing thread's young generation capped at 6 MiB (3 × 2 MiB semi-spaces): on the
      // real-code corpus its peak memory fell by about 10 MiB at the same speed (PERFORMANCE.md).
      const w = new Worker(new URL("./scan-worker.js", import.meta.url), {
        resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB },
      });
      w.on("message", (m: Partial<Result> & { id: number; error?: string }) => {
        const p = inflight.get(m.id);
        if (!p) return;
        inflight.delete(m.id);
        if (m.error !== undefined) p.reject(new Error(m.error));
        else
          p.resolve({
            path: p.path,
            findings: m.findings ?? [],
            parsed: m.parsed ?? false,
            incomplete: m.incomplete ?? false,
            more: m.more ?? false,
            patches: m.patches ?? [],
            calls: m.calls ?? [],
            unusedIgnores: m.unusedIgnores ?? [],
          });
      });
      w.on("error", (e) => {
        for (const p of inflight.values()) p.reject(e);
        inflight.clear();
      });
      workers.push(w);
    }
  };
  const dispatch = (job: Pending, into: Promise<Result>[] = results) => {
    if (workers === null) startWorkers();
    const pool = workers as Worker[];
    const id = nextId++;
    into.push(
      new Promise((resolve, reject) => {
        inflight.set(id, { path: job.path, resolve, reject });
        // A project's dependency list goes to each worker once, not with every module.
        const { deps, ...context } = job.context ?? { run: null };
        const msg: ScanJob = {
          id,
          path: job.path,
          source: job.source,
          disabled,
          context: job.context ? context : null,
          ...(deps ? { deps: depsId(pool, deps) } : {}),
        };
        pool[rr++ % pool.length]?.postMessage(msg);
      }),
    );
  };

  let pendingBytes = 0;
  const held: Relevant[] = [];
  // A tree this many Python files deep will need the threads: start them as soon as it is listed
  // (their start-up overlaps the reading) instead of after the first 2 MB of relevant sources.
  let listedFiles = 0;
  const listed = (n: number) => {
    listedFiles += n;
    if (listedFiles >= PARALLEL_MIN_FILES && workers === null) {
      startWorkers();
      for (const p of pending.splice(0)) dispatch(p);
    }
  };
  const tick = opts.progress ? () => opts.progress?.(report.files, report.bytes) : undefined;
  for (const job of relevantSources(paths, report, projects, held, opts.filter, tick, listed)) {
    if (workers !== null) dispatch(job);
    else {
      pending.push(job);
      pendingBytes += job.source.length;
      if (pendingBytes >= PARALLEL_MIN_BYTES) for (const p of pending.splice(0)) dispatch(p);
    }
  }

  const off = new Set(disabled);
  const filter = { enabled: (id: string) => !off.has(id) };
  try {
    if (workers === null) {
      // Few files: no threads.
      const engine = await createEngine();
      for (const p of pending)
        addScanned(report, code, {
          path: p.path,
          ...engine.scanSource(p.path, p.source, filter, p.context ?? undefined),
        });
    } else for (const r of await Promise.all(results)) addScanned(report, code, r);
    // Second pass: the held-back modules and those a module-level patch loads, with their final context.
    const pass = timed(report, () => secondPass(projects, code.patches, held));
    const jobs = [...pass.fresh, ...pass.again];
    if (jobs.length > 0) {
      const bytes = jobs.reduce((n, j) => n + j.source.length, 0);
      let second: Result[];
      if (workers === null && bytes < PARALLEL_MIN_BYTES) {
        const engine = await createEngine();
        second = jobs.map((p) => ({
          path: p.path,
          ...engine.scanSource(p.path, p.source, filter, p.context ?? undefined),
        }));
      } else {
        const pending2: Promise<Result>[] = [];
        for (const p of jobs) dispatch(p, pending2);
        second = await Promise.all(pending2);
      }
      addSecondPass(report, code, pass, second);
    }
  } finally {
    if (workers !== null) await Promise.all((workers as Worker[]).map((w) => w.terminate()));
  }
  report.findings = settled(projects, code, report.findings);
  append(
    report.findings,
    timed(report, () => withoutCovered(projectFindings(projects, code, filter), report.findings)),
  );
  return report;
}
