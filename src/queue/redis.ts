/**
 * The durable queue on Redis (BullMQ): the job id is the delivery id, so a delivery is done once
 * across replicas; one job at a time per target through a Redis lock (a job that finds its target
 * busy waits, delayed); the newest pull-request head is kept in Redis and supersedes older queued
 * work; retries honour `retry-after`; a job whose worker died (kill -9) is taken over when its lock
 * lapses; jobs that fail for good are kept in a dead-letter list.
 */
import { DelayedError, Queue, UnrecoverableError, Worker } from "bullmq";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import { runInJob } from "./context.js";
import type { Job, JobRun } from "./job.js";
import {
  type AddOutcome,
  DEAD_LETTERS,
  DEFAULT_SETTINGS,
  type DeadLetter,
  deadLetter,
  type JobQueue,
  nextTry,
  type Processor,
  type QueueSettings,
  REPLAY_WINDOW_S,
  reasonOf,
} from "./queue.js";
import { CLAIM, EXTEND, PENDING_S, RELEASE } from "./redis-scripts.js";

const NAME = "async-doctor-deliveries";
const KEEP_DONE_S = 24 * 3600;

/** At most this many deliveries per enqueue batch. */
const MAX_BATCH = 200;

interface Pending {
  job: Job;
  digest: string | undefined;
  resolve: (outcome: AddOutcome) => void;
  reject: (e: unknown) => void;
}

class Retry extends Error {
  constructor(
    readonly delayMs: number,
    cause: unknown,
  ) {
    super(reasonOf(cause));
  }
}

export class RedisQueue implements JobQueue {
  private readonly settings: QueueSettings;
  private readonly redis: Redis;
  private readonly queueConnection: Redis;
  private wasReady = false;
  private readonly queue: Queue;
  private worker: Worker | null = null;
  private readonly pending: Pending[] = [];
  private readonly prefix: string;

  constructor(
    url: string,
    private readonly log: Pick<Logger, "info" | "warn" | "error">,
    settings: Partial<QueueSettings> = {},
    /** Key prefix: lets tests share one Redis without meeting. */
    prefix = "async-doctor",
  ) {
    this.settings = { ...DEFAULT_SETTINGS, ...settings };
    this.prefix = prefix;
    this.redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
    this.queueConnection = this.redis.duplicate();
    this.queue = new Queue(NAME, { connection: this.queueConnection, prefix });
    this.redis.once("ready", () => {
      this.wasReady = true;
    });
  }

  private key(...parts: string[]): string {
    return [this.prefix, ...parts].join(":");
  }

  /**
   * Deliveries that arrive together are enqueued together: their claims in one pipeline, then
   * one `addBulk` (two round trips for the batch instead of two per delivery).
   */
  add(job: Job, digest?: string): Promise<AddOutcome> {
    // Redis is away: say so now (the webhook is answered 503 and can be redelivered) instead of
    // holding the delivery, its payload included, until Redis comes back.
    if (!this.connected())
      return Promise.reject(
        new Error(`Redis is not connected (${this.redis.status}/${this.queueConnection.status})`),
      );
    return new Promise((resolve, reject) => {
      this.pending.push({ job, digest, resolve, reject });
      if (this.pending.length === 1) setImmediate(() => void this.flush());
    });
  }

  /** Connected, or still making the first connection (after that, only "ready" counts). */
  private connected(): boolean {
    const up = (c: Redis) =>
      c.status === "ready" || (!this.wasReady && c.status !== "end" && c.status !== "close");
    return up(this.redis) && up(this.queueConnection);
  }

  async ready(): Promise<boolean> {
    if (this.redis.status !== "ready" || this.queueConnection.status !== "ready") return false;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((r) => {
      timer = setTimeout(() => r(false), 1000);
    });
    try {
      return await Promise.race([this.redis.ping().then((p) => p === "PONG"), late]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  private async flush(): Promise<void> {
    const batch = this.pending.splice(0, MAX_BATCH);
    if (this.pending.length > 0) setImmediate(() => void this.flush());
    // The id is claimed atomically first: two web replicas given one delivery enqueue it once,
    // also after BullMQ dropped the finished job.
    const claims = this.redis.pipeline();
    for (const { job, digest } of batch)
      claims.eval(
        CLAIM,
        3,
        this.key("delivery", job.id),
        this.key("head", job.target ?? "none"),
        this.key("body", digest ?? "none"),
        String(KEEP_DONE_S),
        job.target && job.head ? job.head : "",
        digest === undefined ? "0" : "1",
        String(PENDING_S),
        String(REPLAY_WINDOW_S),
      );
    let claimed: Pending[] = [];
    try {
      const results = (await claims.exec()) ?? [];
      batch.forEach((p, i) => {
        const [error, value] = results[i] ?? [new Error("no answer from Redis"), null];
        if (error) p.reject(error);
        else if (value === 2) p.resolve("replay");
        else if (value !== 1) p.resolve("duplicate");
        else claimed.push(p);
      });
      if (claimed.length === 0) return;
      await this.queue.addBulk(
        claimed.map(({ job }) => ({
          name: job.name,
          data: job,
          opts: {
            jobId: job.id,
            attempts: this.settings.attempts,
            backoff: { type: "github" },
            removeOnComplete: { age: KEEP_DONE_S, count: 10_000 },
            removeOnFail: { age: 7 * KEEP_DONE_S, count: 10_000 },
          },
        })),
      );
      for (const p of claimed) p.resolve("queued");
      // The claims are made lasting after the answer (off the webhook's path): queued either way,
      // a lease that is not made lasting only lapses into an id BullMQ still knows.
      const lasting = this.redis.pipeline();
      for (const { job } of claimed)
        lasting.set(this.key("delivery", job.id), "queued", "EX", KEEP_DONE_S, "XX");
      void lasting.exec().catch(() => undefined);
      claimed = [];
    } catch (e) {
      // Not queued: give the claims back so that GitHub's redelivery is not taken for a duplicate.
      if (claimed.length > 0)
        await this.redis
          .del(
            claimed.flatMap((p) => [
              this.key("delivery", p.job.id),
              ...(p.digest === undefined ? [] : [this.key("body", p.digest)]),
            ]),
          )
          .catch(() => undefined);
      for (const p of claimed.length > 0 ? claimed : batch) p.reject(e);
    }
  }

  process(processor: Processor): void {
    const worker = new Worker(
      NAME,
      async (bull, token) => {
        const job = bull.data as Job;
        const attempt = bull.attemptsMade + 1;
        const final = attempt >= this.settings.attempts;
        // One job per target at a time, across workers.
        const lockKey = job.target ? this.key("lock", job.target) : null;
        if (lockKey) {
          const got = await this.redis.set(lockKey, job.id, "PX", this.settings.lockMs, "NX");
          if (got === null) {
            await bull.moveToDelayed(Date.now() + 250 + Math.floor(Math.random() * 500), token);
            throw new DelayedError();
          }
        }
        const renew = lockKey
          ? setInterval(
              () => void this.redis.eval(EXTEND, 1, lockKey, job.id, String(this.settings.lockMs)),
              this.settings.lockMs / 3,
            )
          : null;
        try {
          if (job.target && job.head) {
            const latest = await this.redis.get(this.key("head", job.target));
            if (latest && latest !== job.head) {
              this.log.info({ delivery: job.id, target: job.target }, "superseded by a newer push");
              return "superseded";
            }
          }
          // Started before (a retry, or a job taken over after its worker died): resumed.
          const started = await this.redis.set(this.key("started", job.id), "1", "EX", KEEP_DONE_S, "NX");
          const run: JobRun = { job, attempt, final, resumed: attempt > 1 || started === null };
          try {
            return await runInJob(run, () => processor(run));
          } catch (e) {
            const delay = nextTry(e, run, this.settings.backoffMs, this.log);
            if (delay === null) {
              await this.bury(job, e);
              throw new UnrecoverableError(reasonOf(e));
            }
            throw new Retry(delay, e);
          }
        } finally {
          if (renew) clearInterval(renew);
          if (lockKey) await this.redis.eval(RELEASE, 1, lockKey, job.id);
        }
      },
      {
        connection: this.redis.duplicate(),
        prefix: this.prefix,
        concurrency: this.settings.concurrency,
        lockDuration: this.settings.lockMs,
        stalledInterval: this.settings.lockMs,
        maxStalledCount: 3,
        settings: {
          backoffStrategy: (attemptsMade, _type, err) =>
            err instanceof Retry ? err.delayMs : this.settings.backoffMs * 2 ** (attemptsMade - 1),
        },
      },
    );
    worker.on("error", (e) => this.log.error({ reason: reasonOf(e) }, "queue worker error"));
    this.worker = worker;
  }

  private async bury(job: Job, e: unknown): Promise<void> {
    await this.redis.lpush(this.key("dead"), JSON.stringify(deadLetter(job, e, this.log)));
    await this.redis.ltrim(this.key("dead"), 0, DEAD_LETTERS - 1);
  }

  async idle(): Promise<void> {
    for (;;) {
      const counts = await this.queue.getJobCounts("waiting", "active", "delayed", "prioritized");
      if (Object.values(counts).every((n) => n === 0)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async deadLetters(): Promise<DeadLetter[]> {
    const raw = await this.redis.lrange(this.key("dead"), 0, DEAD_LETTERS - 1);
    return raw.map((r) => JSON.parse(r) as DeadLetter);
  }

  /**
   * Stop taking jobs, let the running ones finish for up to `graceMs`, then hand back the rest:
   * their locks lapse and another worker takes them over (they look before posting, so nothing
   * is done twice).
   */
  async close(graceMs = 10_000): Promise<void> {
    if (this.worker) {
      const worker = this.worker;
      let timer: NodeJS.Timeout | undefined;
      const finished = await Promise.race([
        worker.close().then(() => true),
        new Promise<false>((r) => {
          timer = setTimeout(() => r(false), graceMs);
        }),
      ]);
      clearTimeout(timer);
      if (!finished) {
        this.log.warn({ graceMs }, "jobs still running at shutdown: handed back to the queue");
        await worker.close(true).catch(() => undefined);
      }
    }
    await this.queue.close().catch(() => undefined);
    this.redis.disconnect();
  }
}
