/**
 * The thread that does the work, off the thread that answers webhooks: it loads the App into
 * Probot and runs jobs — handed over one by one (embedded queue) or taken from Redis itself.
 */
import { setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { runInJob } from "../queue/context.js";
import type { JobRun } from "../queue/job.js";
import type { QueueSettings } from "../queue/queue.js";
import { RedisQueue } from "../queue/redis.js";
import { loadProbot, plainError, processorFor } from "./runner.js";

export interface ThreadData {
  mode: "memory" | "redis";
  redisUrl?: string;
  settings?: Partial<QueueSettings>;
  prefix?: string;
  /** Added to this thread's nice value (Linux: per thread), so the webhook thread wins the CPU. */
  nice?: number;
  /** The thread's heap limit in MiB. */
  heapMb?: number;
}

const data = workerData as ThreadData;
if (data.nice) {
  try {
    setPriority(Math.min(19, data.nice));
  } catch {
    // Not permitted here (or not a per-thread priority): the work runs at normal priority.
  }
}
const probot = await loadProbot(process.env);
const processor = processorFor(probot);

if (data.mode === "redis") {
  const queue = new RedisQueue(data.redisUrl as string, probot.log, data.settings ?? {}, data.prefix);
  queue.process(processor);
  parentPort?.on("message", (m: unknown) => {
    const close = (m as { close?: number } | null)?.close;
    if (typeof close === "number") void queue.close(close).finally(() => parentPort?.postMessage("closed"));
  });
} else {
  parentPort?.on("message", async (m: { id: number; run: JobRun }) => {
    try {
      const outcome = await runInJob(m.run, () => processor(m.run));
      parentPort?.postMessage({ id: m.id, outcome });
    } catch (e) {
      parentPort?.postMessage({ id: m.id, error: plainError(e) });
    }
  });
}
parentPort?.postMessage("ready");
