/**
 * A webhook delivery as a unit of work: its id is GitHub's delivery id (a delivery is done once),
 * its target says what it changes (one issue, one pull request) so that work on one target runs
 * one job at a time, and a newer push supersedes queued work for the same pull request.
 */

export interface Job {
  /** `X-GitHub-Delivery`. */
  id: string;
  /** `X-GitHub-Event`. */
  name: string;
  payload: unknown;
  /** `owner/repo#number` of the issue or pull request, or null for events without one. */
  target: string | null;
  /** For a pull request: the head commit this job reviews (a newer one supersedes it). */
  head: string | null;
}

export type Outcome = "done" | "superseded";

/** What a handler run learns about its job (read through `currentJob()`). */
export interface JobRun {
  job: Job;
  /** 1 for the first try. */
  attempt: number;
  /** No try comes after this one: on failure, leave a final word (a completed check run). */
  final: boolean;
  /** An earlier try may have done part of the work (a retry, or a job taken over after a crash). */
  resumed: boolean;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | null => (v !== null && typeof v === "object" ? (v as Obj) : null);

/** The job a delivery becomes: its target and head are read from the payload. */
export function jobOf(id: string, name: string, payload: unknown): Job {
  const p = obj(payload);
  const repo = obj(p?.repository);
  const full = typeof repo?.full_name === "string" ? repo.full_name : null;
  const pr = obj(p?.pull_request);
  const issue = obj(p?.issue);
  // A re-run: of our check run, or of every check of a commit (`check_suite`).
  const checkRun = obj(p?.check_run) ?? obj(p?.check_suite);
  const checkPr = obj((checkRun?.pull_requests as unknown[] | undefined)?.[0]);
  const number =
    (pr?.number as number | undefined) ??
    (issue?.number as number | undefined) ??
    (checkPr?.number as number | undefined);
  const head =
    (obj(pr?.head)?.sha as string | undefined) ?? (checkRun?.head_sha as string | undefined) ?? null;
  return {
    id,
    name,
    payload,
    target: full && typeof number === "number" ? `${full}#${number}` : null,
    head: pr || checkRun ? head : null,
  };
}

/** Whether a retry can mend this error (a 4xx other than a timeout or a rate limit cannot). */
export function mendable(error: unknown): boolean {
  return retryDelay(error, 1, 1) !== null;
}

/** How long to wait before trying again after this error; null when it is not worth a retry. */
export function retryDelay(error: unknown, attempt: number, baseMs: number): number | null {
  const e = obj(error);
  const status = typeof e?.status === "number" ? e.status : null;
  const headers = obj(obj(e?.response)?.headers);
  const after = headers?.["retry-after"];
  const reset = headers?.["x-ratelimit-reset"];
  const remaining = headers?.["x-ratelimit-remaining"];
  // GitHub's limits: `retry-after` (secondary limits, 403 or 429), or a spent primary limit.
  if (after !== undefined && Number.isFinite(Number(after))) return Math.max(1000, Number(after) * 1000);
  if ((status === 403 || status === 429) && String(remaining) === "0" && Number.isFinite(Number(reset)))
    return Math.max(1000, Number(reset) * 1000 - Date.now());
  if (status !== null && status >= 400 && status < 500 && status !== 408 && status !== 429) return null;
  // 5xx, timeouts, network errors, anything else: exponential backoff with jitter.
  const exp = baseMs * 2 ** (attempt - 1);
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}
