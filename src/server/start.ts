/**
 * Roles: `all` (`npm start`: web and worker in one process), `web` and `worker` (`npm run
 * worker`). Without `REDIS_URL` the queue is in memory, so web and worker must share the process;
 * with it, any number of web and worker replicas share one durable queue. The work always runs
 * in a worker thread, never on the thread that answers webhooks.
 */
import type { Server } from "node:http";
import { Worker } from "node:worker_threads";
import pino, { type Logger } from "pino";
import type { JobRun } from "../queue/job.js";
import { MemoryQueue } from "../queue/memory.js";
import type { JobQueue, QueueSettings } from "../queue/queue.js";
import { RedisQueue } from "../queue/redis.js";
import { createWebServer } from "./http.js";
import { fromPlain, type PlainError } from "./runner.js";
import type { ThreadData } from "./thread.js";

export type Role = "all" | "web" | "worker";

export interface Running {
  log: Logger;
  server: Server | null;
  stop(): Promise<void>;
}

/** The work thread; restarted if it dies (a job it held is retried by the queue). */
function workThread(data: ThreadData, log: Logger) {
  let thread: Worker | null = null;
  const pending = new Map<
    number,
    { resolve: (o: "done" | "superseded") => void; reject: (e: Error) => void }
  >();
  let next = 0;
  let stopping = false;
  const spawn = () => {
    const w = new Worker(new URL("./thread.js", import.meta.url), {
      workerData: data,
      resourceLimits: { maxOldGenerationSizeMb: 1024 },
    });
    w.on("message", (m: { id?: number; outcome?: "done" | "superseded"; error?: PlainError } | string) => {
      if (typeof m === "string" || m.id === undefined) return;
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.error) p.reject(fromPlain(m.error));
      else p.resolve(m.outcome ?? "done");
    });
    w.on("error", (e) => log.error({ reason: e.message }, "work thread failed"));
    w.on("exit", (code) => {
      for (const p of pending.values()) p.reject(new Error(`work thread exited (${code})`));
      pending.clear();
      if (!stopping) {
        log.warn({ code }, "work thread exited; starting a new one");
        thread = spawn();
      }
    });
    return w;
  };
  thread = spawn();
  return {
    run(run: JobRun): Promise<"done" | "superseded"> {
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        thread?.postMessage({ id, run });
      });
    },
    async stop() {
      stopping = true;
      if (data.mode === "redis" && thread) {
        const t = thread;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 10_000);
          t.on("message", (m) => {
            if (m === "closed") {
              clearTimeout(timer);
              resolve();
            }
          });
          t.postMessage("close");
        });
      }
      await thread?.terminate();
    },
  };
}

/** Queue settings from the environment (positive integers; others ignored). */
export function settingsFrom(env: NodeJS.ProcessEnv): Partial<QueueSettings> {
  const int = (v: string | undefined) => (v && /^\d+$/.test(v) && Number(v) > 0 ? Number(v) : undefined);
  const out: Partial<QueueSettings> = {};
  const attempts = int(env.ASYNC_DOCTOR_QUEUE_ATTEMPTS);
  const backoffMs = int(env.ASYNC_DOCTOR_QUEUE_BACKOFF_MS);
  const concurrency = int(env.ASYNC_DOCTOR_CONCURRENCY);
  const lockMs = int(env.ASYNC_DOCTOR_LOCK_MS);
  if (lockMs) out.lockMs = Math.max(lockMs, 1000);
  if (attempts) out.attempts = Math.min(attempts, 50);
  if (backoffMs) out.backoffMs = backoffMs;
  if (concurrency) out.concurrency = Math.min(concurrency, 64);
  return out;
}

/** The work thread's nice value: ASYNC_DOCTOR_WORK_NICE (0-19), 10 by default. */
function niceFrom(env: NodeJS.ProcessEnv): number {
  const v = env.ASYNC_DOCTOR_WORK_NICE;
  return v !== undefined && /^\d+$/.test(v) ? Math.min(Number(v), 19) : 10;
}

export async function start(
  role: Role,
  env: NodeJS.ProcessEnv,
  settings: Partial<QueueSettings> = settingsFrom(env),
): Promise<Running> {
  const log = pino({ level: env.LOG_LEVEL ?? "info", base: { role } });
  const redisUrl = env.REDIS_URL || "";
  const prefix = env.ASYNC_DOCTOR_REDIS_PREFIX || "async-doctor";
  if (!redisUrl && role !== "all")
    throw new Error(
      `the ${role} role alone needs REDIS_URL (without it the queue lives in one process: use npm start)`,
    );
  const queue: JobQueue | null =
    role === "worker"
      ? null
      : redisUrl
        ? new RedisQueue(redisUrl, log, settings, prefix)
        : new MemoryQueue(log, settings);
  const work =
    role === "web"
      ? null
      : workThread(
          redisUrl
            ? { mode: "redis", redisUrl, settings, prefix, nice: niceFrom(env) }
            : { mode: "memory", nice: niceFrom(env) },
          log,
        );
  if (queue instanceof MemoryQueue && work) queue.process((run) => work.run(run));

  let server: Server | null = null;
  if (queue) {
    server = createWebServer({
      secret: env.WEBHOOK_SECRET || "development",
      path: env.WEBHOOK_PATH || "/api/github/webhooks",
      queue,
      log,
    });
    const port = Number(env.PORT || 3000);
    const host = env.HOST || "localhost";
    await new Promise<void>((resolve, reject) => {
      server?.once("error", reject);
      server?.listen(port, host, () => resolve());
    });
    log.info({ host, port, queue: redisUrl ? "redis" : "memory" }, "listening for webhooks");
  } else log.info({ queue: "redis" }, "worker started");

  return {
    log,
    server,
    async stop() {
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      if (queue instanceof MemoryQueue)
        await Promise.race([queue.idle(), new Promise((r) => setTimeout(r, 10_000))]);
      await work?.stop();
      await queue?.close();
    },
  };
}
