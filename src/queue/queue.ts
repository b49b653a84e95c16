/** The job queue between the webhook and the work: one interface, in memory or on Redis. */
import type { Logger } from "pino";
import { type Job, type JobRun, retryDelay } from "./job.js";

export type Processor = (run: JobRun) => Promise<"done" | "superseded">;

export interface DeadLetter {
  id: string;
  name: string;
  target: string | null;
  reason: string;
  at: string;
}

export interface QueueSettings {
  /** Tries per job, the first included. */
  attempts: number;
  /** First backoff; doubled per try (with jitter) unless GitHub says how long to wait. */
  backoffMs: number;
  /** Jobs run at once by one worker (never two for one target). */
  concurrency: number;
  /** How long a dead worker's job (and its target) stays locked before another worker takes it over. */
  lockMs: number;
}

export const DEFAULT_SETTINGS: QueueSettings = {
  attempts: 6,
  backoffMs: 2000,
  concurrency: 50,
  lockMs: 30_000,
};

/** What became of a delivery handed to the queue. */
export type AddOutcome = "queued" | "duplicate" | "replay";

/** How long a signed body is remembered: the same body under a fresh delivery id is a replay. */
export const REPLAY_WINDOW_S = 24 * 3600;

export interface JobQueue {
  /**
   * Enqueue a delivery; `duplicate` when its id is already queued, running or done, `replay` when
   * its body (`digest`, a hash of the signed bytes) came before under another id within the window.
   */
  add(job: Job, digest?: string): Promise<AddOutcome>;
  /** Whether the queue answers now (readiness). */
  ready(): Promise<boolean>;
  /** Start working (a worker role): `processor` runs each job, in its job context. */
  process(processor: Processor): void;
  /** Resolves once nothing is queued, waiting or running (tests; graceful shutdown). */
  idle(): Promise<void>;
  /** Jobs that failed for good, newest first. */
  deadLetters(): Promise<DeadLetter[]>;
  /** Stop: no new jobs; running ones get up to `graceMs` to finish (the Redis queue hands back the rest). */
  close(graceMs?: number): Promise<void>;
}

/** Dead letters kept (newest first). */
export const DEAD_LETTERS = 1000;

/** The dead letter for a job that failed for good, logged as one line. */
export function deadLetter(job: Job, e: unknown, log: Pick<Logger, "error">): DeadLetter {
  const letter: DeadLetter = {
    id: job.id,
    name: job.name,
    target: job.target,
    reason: reasonOf(e),
    at: new Date().toISOString(),
  };
  log.error(
    { delivery: job.id, event: job.name, target: job.target, reason: letter.reason },
    "job failed for good",
  );
  return letter;
}

/**
 * After a failed try: how long to wait before the next one (logged as one line), or null when the
 * job is given up (its last try, or an error no retry mends). Both queues decide here.
 */
export function nextTry(
  e: unknown,
  run: Pick<JobRun, "job" | "attempt" | "final">,
  backoffMs: number,
  log: Pick<Logger, "warn">,
): number | null {
  const delay = run.final ? null : retryDelay(e, run.attempt, backoffMs);
  if (delay !== null)
    log.warn(
      { delivery: run.job.id, attempt: run.attempt, retryInMs: delay, reason: reasonOf(e) },
      "job failed; will retry",
    );
  return delay;
}

/** The message of an error, one line, for logs and dead letters. */
export function reasonOf(e: unknown): string {
  const status = (e as { status?: number } | null)?.status;
  const message = e instanceof Error ? e.message : String(e);
  return `${status ? `HTTP ${status}: ` : ""}${message.split("\n")[0]?.slice(0, 500) ?? ""}`;
}
