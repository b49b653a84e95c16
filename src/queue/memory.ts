/**
 * The embedded queue (no `REDIS_URL`): the same semantics as the Redis one — a delivery done once,
 * one job at a time per target, a newer pull-request head supersedes queued work, retries with
 * backoff that honour `retry-after`, dead letters — in this process, without durability: a
 * restart loses what was queued.
 */
import type { Logger } from "pino";
import { runInJob } from "./context.js";
import type { Job } from "./job.js";
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
} from "./queue.js";

const KNOWN_IDS = 20_000;

/** Add to a bounded map, dropping the oldest entry past `KNOWN_IDS`. */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.set(key, value);
  if (map.size > KNOWN_IDS) map.delete(map.keys().next().value as string);
}

interface Entry {
  job: Job;
  attempt: number;
}

export class MemoryQueue implements JobQueue {
  private readonly settings: QueueSettings;
  /** Delivery ids seen (queued, running or done), oldest first, bounded. */
  private readonly known = new Map<string, true>();
  /** Digests of the bodies seen, with when they stop counting, oldest first, bounded. */
  private readonly digests = new Map<string, number>();
  private paused = false;
  /** Per target (or per job for targetless events): jobs waiting, in order. */
  private readonly lanes = new Map<string, Entry[]>();
  /** Targets with a job running or waiting for its retry. */
  private readonly busy = new Set<string>();
  private readonly latestHead = new Map<string, string>();
  private readonly dead: DeadLetter[] = [];
  private processor: Processor | null = null;
  private running = 0;
  private timers = new Set<NodeJS.Timeout>();
  private waiters: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly log: Pick<Logger, "info" | "warn" | "error">,
    settings: Partial<QueueSettings> = {},
  ) {
    this.settings = { ...DEFAULT_SETTINGS, ...settings };
  }

  async add(job: Job, digest?: string): Promise<AddOutcome> {
    if (this.known.has(job.id)) return "duplicate";
    if (digest !== undefined && (this.digests.get(digest) ?? 0) > Date.now()) return "replay";
    remember(this.known, job.id, true);
    if (digest !== undefined) remember(this.digests, digest, Date.now() + REPLAY_WINDOW_S * 1000);
    const lane = job.target ?? `job:${job.id}`;
    if (job.target && job.head) this.latestHead.set(job.target, job.head);
    const list = this.lanes.get(lane) ?? [];
    list.push({ job, attempt: 1 });
    this.lanes.set(lane, list);
    this.pump();
    return "queued";
  }

  async ready(): Promise<boolean> {
    return !this.closed;
  }

  /** Stop starting jobs; the running ones go on (`idle()` says when they are done). */
  pause(): void {
    this.paused = true;
  }

  process(processor: Processor): void {
    this.processor = processor;
    this.pump();
  }

  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async deadLetters(): Promise<DeadLetter[]> {
    return [...this.dead];
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private isIdle(): boolean {
    return (
      this.running === 0 && this.busy.size === 0 && [...this.lanes.values()].every((l) => l.length === 0)
    );
  }

  private settle(): void {
    if (!this.isIdle()) return;
    for (const w of this.waiters.splice(0)) w();
  }

  private pump(): void {
    if (this.processor === null || this.closed || this.paused) return;
    for (const [lane, list] of this.lanes) {
      if (this.running >= this.settings.concurrency) return;
      if (this.busy.has(lane) || list.length === 0) continue;
      const entry = list.shift() as Entry;
      if (list.length === 0) this.lanes.delete(lane);
      this.busy.add(lane);
      this.running++;
      void this.run(lane, entry);
    }
  }

  private async run(lane: string, entry: Entry): Promise<void> {
    const { job, attempt } = entry;
    const run = { job, attempt, final: attempt >= this.settings.attempts, resumed: attempt > 1 };
    let retryIn: number | null = null;
    try {
      const head = job.target ? this.latestHead.get(job.target) : undefined;
      if (job.head && head && head !== job.head) {
        this.log.info({ delivery: job.id, target: job.target }, "superseded by a newer push");
      } else {
        await runInJob(run, () => (this.processor as Processor)(run));
      }
    } catch (e) {
      retryIn = nextTry(e, run, this.settings.backoffMs, this.log);
      if (retryIn === null) this.bury(job, e);
    } finally {
      this.running--;
    }
    if (retryIn !== null && !this.closed) {
      // The lane stays busy while the retry waits: jobs of one target keep their order.
      const t = setTimeout(() => {
        this.timers.delete(t);
        this.busy.delete(lane);
        const list = this.lanes.get(lane) ?? [];
        list.unshift({ job, attempt: attempt + 1 });
        this.lanes.set(lane, list);
        this.pump();
      }, retryIn);
      this.timers.add(t);
    } else this.busy.delete(lane);
    this.pump();
    this.settle();
  }

  private bury(job: Job, e: unknown): void {
    this.dead.unshift(deadLetter(job, e, this.log));
    if (this.dead.length > DEAD_LETTERS) this.dead.pop();
  }
}
