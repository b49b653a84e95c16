/**
 * Roles: `all` (`npm start`: web and worker in one process), `web` and `worker` (`npm run
 * worker`). Without `REDIS_URL` the queue is in memory, so web and worker must share the process;
 * with it, any number of web and worker replicas share one durable queue. The work always runs
 * in a worker thread, never on the thread that answers webhooks.
 */
import type { Server } from "node:http";
import { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import type { JobRun } from "../queue/job.js";
import { MemoryQueue } from "../queue/memory.js";
import type { JobQueue, QueueSettings } from "../queue/queue.js";
import { RedisQueue } from "../queue/redis.js";
import { createWebServer, type WebLimits } from "./http.js";
import { createLog } from "./log.js";
import { fromPlain, type PlainError } from "./runner.js";
import type { ThreadData } from "./thread.js";

export type Role = "all" | "web" | "worker";

export interface Running {
  log: Logger;
  server: Server | null;
  /**
   * Stop: take no more jobs and no more connections at once; running jobs and requests get up to
   * `graceMs` (then jobs are handed back to the queue and connections closed).
   */
  stop(graceMs?: number): Promise<void>;
}

/** The grace of a shutdown: ASYNC_DOCTOR_SHUTDOWN_GRACE_MS, 10 s by default. */
export function graceFrom(env: NodeJS.ProcessEnv): number {
  const v = env.ASYNC_DOCTOR_SHUTDOWN_GRACE_MS;
  return v !== undefined && /^\d+$/.test(v) ? Math.min(Number(v), 120_000) : 10_000;
}

/** Work threads that die this many times in a row (before they served a minute) stop the process. */
export const MAX_THREAD_CRASHES = 5;
const STEADY_MS = 60_000;

/**
 * The work thread; restarted if it dies (a job it held is retried by the queue). One that keeps
 * dying (a bad key, a broken install) is not restarted for ever: `fatal` is called instead.
 */
function workThread(data: ThreadData, log: Logger, fatal: (reason: string) => void) {
  let thread: Worker | null = null;
  const pending = new Map<
    number,
    { resolve: (o: "done" | "superseded") => void; reject: (e: Error) => void }
  >();
  let next = 0;
  let stopping = false;
  let crashes = 0;
  const spawn = () => {
    const started = Date.now();
    const w = new Worker(new URL("./thread.js", import.meta.url), {
      workerData: data,
      resourceLimits: { maxOldGenerationSizeMb: data.heapMb ?? 1024 },
    });
    w.on("message", (m: { id?: number; outcome?: "done" | "superseded"; error?: PlainError } | string) => {
      if (typeof m === "string" || m.id === undefined) return;
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      crashes = 0;
      if (m.error) p.reject(fromPlain(m.error));
      else p.resolve(m.outcome ?? "done");
    });
    w.on("error", (e) => log.error({ reason: e.message }, "work thread failed"));
    w.on("exit", (code) => {
      for (const p of pending.values()) p.reject(new Error(`work thread exited (${code})`));
      pending.clear();
      if (stopping) return;
      crashes = Date.now() - started < STEADY_MS ? crashes + 1 : 1;
      if (crashes >= MAX_THREAD_CRASHES) {
        fatal(`the work thread died ${crashes} times in a row (last exit code ${code})`);
        return;
      }
      log.warn({ code, crashes }, "work thread exited; starting a new one");
      thread = spawn();
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
    /** Redis: the thread stops taking jobs and hands back what is still running after `graceMs`. */
    async stop(graceMs: number) {
      stopping = true;
      if (data.mode === "redis" && thread) {
        const t = thread;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, graceMs + 5000);
          t.on("message", (m) => {
            if (m === "closed") {
              clearTimeout(timer);
              resolve();
            }
          });
          t.on("exit", () => resolve());
          t.postMessage({ close: graceMs });
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

/** The web server's limits from the environment (positive integers; others ignored). */
export function limitsFrom(env: NodeJS.ProcessEnv): Partial<WebLimits> {
  const int = (v: string | undefined) => (v && /^\d+$/.test(v) && Number(v) > 0 ? Number(v) : undefined);
  const out: Partial<WebLimits> = {};
  const set = (k: keyof WebLimits, v: number | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  const mb = int(env.ASYNC_DOCTOR_INFLIGHT_MB);
  set("inflightBytes", mb === undefined ? undefined : mb * 1024 * 1024);
  set("maxConnections", int(env.ASYNC_DOCTOR_MAX_CONNECTIONS));
  set("headersTimeoutMs", int(env.ASYNC_DOCTOR_HEADERS_TIMEOUT_MS));
  set("requestTimeoutMs", int(env.ASYNC_DOCTOR_REQUEST_TIMEOUT_MS));
  set("enqueueTimeoutMs", int(env.ASYNC_DOCTOR_ENQUEUE_TIMEOUT_MS));
  return out;
}

/** The work thread's heap in MiB: ASYNC_DOCTOR_WORK_HEAP_MB, 1024 by default. */
function heapFrom(env: NodeJS.ProcessEnv): number {
  const v = env.ASYNC_DOCTOR_WORK_HEAP_MB;
  return v !== undefined && /^\d+$/.test(v) && Number(v) > 0 ? Number(v) : 1024;
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
  fatal: (reason: string) => void = () => undefined,
): Promise<Running> {
  const log = createLog(env, { role });
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
            ? { mode: "redis", redisUrl, settings, prefix, nice: niceFrom(env), heapMb: heapFrom(env) }
            : { mode: "memory", nice: niceFrom(env), heapMb: heapFrom(env) },
          log,
          fatal,
        );
  if (queue instanceof MemoryQueue && work) queue.process((run) => work.run(run));

  let server: Server | null = null;
  if (queue) {
    server = createWebServer({
      secret: env.WEBHOOK_SECRET || "development",
      path: env.WEBHOOK_PATH || "/api/github/webhooks",
      queue,
      log,
      limits: limitsFrom(env),
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
    async stop(graceMs = graceFrom(env)) {
      const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());
      // 1. No new connections; idle keep-alive ones closed now, slow ones after the grace.
      const closed = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server?.closeIdleConnections();
      const cut = setTimeout(() => server?.closeAllConnections(), graceMs);
      // 2. No new jobs: the embedded queue pauses (what it still holds is lost, as documented);
      //    the Redis worker closes, handing back what is still running after the grace.
      if (queue instanceof MemoryQueue) queue.pause();
      const drained =
        queue instanceof MemoryQueue ? Promise.race([queue.idle(), sleep(graceMs)]) : Promise.resolve();
      await Promise.all([closed, drained.then(() => work?.stop(graceMs))]);
      clearTimeout(cut);
      await queue?.close(graceMs);
    },
  };
}
