/** The job a handler runs in (AsyncLocalStorage): its attempt and whether it is the last one. */
import { AsyncLocalStorage } from "node:async_hooks";
import type { JobRun } from "./job.js";

const store = new AsyncLocalStorage<JobRun>();

export function runInJob<T>(run: JobRun, fn: () => Promise<T>): Promise<T> {
  return store.run(run, fn);
}

/** The current job run; outside a queue (tests, direct calls) a single final attempt. */
export function currentJob(): JobRun | null {
  return store.getStore() ?? null;
}

/** Is this the last attempt (a failure now is final)? True outside a queue. */
export function finalAttempt(): boolean {
  return currentJob()?.final ?? true;
}
