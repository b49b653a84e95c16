/**
 * The worker role's work: a job is handed to Probot (`probot.receive`), which runs the App's
 * handlers as for a webhook, inside the job's context (attempt, final, resumed).
 */
import { createProbot, type Probot, ProbotOctokit } from "probot";
import app from "../index.js";
import type { JobRun } from "../queue/job.js";
import type { Processor } from "../queue/queue.js";
import { createLog } from "./log.js";

/**
 * GitHub paces content creation per installation (its secondary limits): the client's throttle
 * is keyed by the installation it acts for, so one busy installation never slows the others.
 */
const PacedOctokit = ProbotOctokit.defaults((o: Record<string, unknown>) => {
  const auth = o.auth as { installationId?: number | string } | undefined;
  const throttle = o.throttle as Record<string, unknown> | undefined;
  return auth?.installationId !== undefined && throttle && throttle.enabled !== false
    ? { ...o, throttle: { ...throttle, id: `installation-${auth.installationId}` } }
    : o;
});

/**
 * Probot with the App loaded. Its pacing (Bottleneck) stays in this process even when REDIS_URL
 * is set: on Redis, Bottleneck's state does not survive a Redis restart on Redis 7 (every write then
 * fails with `SETTINGS_KEY_NOT_FOUND`) and drops long-idle clients (`UNKNOWN_CLIENT`). Each worker
 * paces each installation on its own; GitHub's `retry-after` answers are honoured by the queue.
 */
export async function loadProbot(env: NodeJS.ProcessEnv = process.env): Promise<Probot> {
  const probot = createProbot({
    env,
    overrides: {
      Octokit: PacedOctokit,
      redisConfig: undefined,
      log: createLog(env, { role: "work" }),
    },
  });
  await probot.load(app);
  return probot;
}

/** Probot reports handler failures as an AggregateError: the first one says what happened. */
function unwrap(e: unknown): unknown {
  const errors = (e as { errors?: unknown[] } | null)?.errors;
  return Array.isArray(errors) && errors.length > 0 ? errors[0] : e;
}

export function processorFor(probot: Probot): Processor {
  return async (run: JobRun) => {
    try {
      await probot.receive({
        id: run.job.id,
        name: run.job.name,
        payload: run.job.payload,
      } as Parameters<Probot["receive"]>[0]);
    } catch (e) {
      throw unwrap(e);
    }
    return "done";
  };
}

/** An error as it crosses a thread boundary: what retries need (status, rate-limit headers). */
export interface PlainError {
  message: string;
  status?: number;
  headers?: Record<string, string>;
}

export function plainError(e: unknown): PlainError {
  const x = e as {
    message?: string;
    status?: number;
    response?: { headers?: Record<string, unknown> };
  } | null;
  const headers: Record<string, string> = {};
  for (const k of ["retry-after", "x-ratelimit-reset", "x-ratelimit-remaining"]) {
    const v = x?.response?.headers?.[k];
    if (v !== undefined) headers[k] = String(v);
  }
  return {
    message: x?.message ?? String(e),
    ...(typeof x?.status === "number" ? { status: x.status } : {}),
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
  };
}

export function fromPlain(p: PlainError): Error {
  return Object.assign(new Error(p.message), {
    ...(p.status !== undefined ? { status: p.status } : {}),
    ...(p.headers ? { response: { headers: p.headers } } : {}),
  });
}
