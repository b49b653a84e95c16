/**
 * One contract, two queues: in memory (embedded) and on Redis (BullMQ). A delivery is done once,
 * one job at a time per target, a newer pull-request head supersedes, retries honour
 * `retry-after`, and what fails for good is a dead letter.
 */
import { randomUUID } from "node:crypto";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { currentJob } from "../../src/queue/context.js";
import { type Job, jobOf } from "../../src/queue/job.js";
import { MemoryQueue } from "../../src/queue/memory.js";
import type { JobQueue, QueueSettings } from "../../src/queue/queue.js";
import { RedisQueue } from "../../src/queue/redis.js";
import { REDIS_URL, redisUp } from "./redis-available.js";

const log = pino({ level: "silent" });
const SETTINGS: Partial<QueueSettings> = { attempts: 3, backoffMs: 50, concurrency: 4 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function issueJob(number: number, id = randomUUID()): Job {
  return jobOf(id, "issue_comment", { repository: { full_name: "acme/widgets" }, issue: { number } });
}
function prJob(number: number, head: string, id = randomUUID()): Job {
  return jobOf(id, "pull_request", {
    repository: { full_name: "acme/widgets" },
    pull_request: { number, head: { sha: head } },
  });
}

const kinds: [string, () => JobQueue, boolean][] = [
  ["in memory", () => new MemoryQueue(log, SETTINGS), true],
  ["on Redis", () => new RedisQueue(REDIS_URL, log, SETTINGS, `ad-test-${randomUUID()}`), redisUp],
];

for (const [kind, make, available] of kinds)
  describe.skipIf(!available)(`the job queue ${kind}`, () => {
    let q: JobQueue | null = null;
    const queue = () => {
      q = make();
      return q;
    };
    afterEach(async () => {
      await q?.close();
      q = null;
    });

    it("does a delivery once, however often it arrives", async () => {
      const qq = queue();
      const job = issueJob(1);
      expect(await qq.add(job)).toBe("queued");
      expect(await qq.add({ ...job })).toBe("duplicate");
      const ran: string[] = [];
      qq.process(async (r) => {
        ran.push(r.job.id);
        return "done";
      });
      await sleep(100);
      await qq.idle();
      expect(await qq.add({ ...job })).toBe("duplicate");
      expect(ran).toEqual([job.id]);
    });

    it("enqueues deliveries that arrive together once each, a repeated one in the same batch included", async () => {
      const qq = queue();
      const jobs = Array.from({ length: 30 }, (_, i) => issueJob(100 + i));
      const again = jobs[3] as Job;
      const outcomes = await Promise.all([...jobs, { ...again }].map((j) => qq.add(j)));
      expect(outcomes.filter((o) => o === "queued")).toHaveLength(30);
      expect(outcomes.filter((o) => o === "duplicate")).toHaveLength(1);
      const ran: string[] = [];
      qq.process(async (r) => {
        ran.push(r.job.id);
        return "done";
      });
      for (let i = 0; i < 100 && ran.length < 30; i++) await sleep(50);
      await qq.idle();
      expect(ran.sort()).toEqual(jobs.map((j) => j.id).sort());
    });

    it("runs one job at a time per target, and targets side by side", async () => {
      const qq = queue();
      const events: string[] = [];
      let active = 0;
      let overlapSameTarget = false;
      const activeByTarget = new Map<string, number>();
      qq.process(async ({ job }) => {
        const t = job.target as string;
        if ((activeByTarget.get(t) ?? 0) > 0) overlapSameTarget = true;
        activeByTarget.set(t, (activeByTarget.get(t) ?? 0) + 1);
        active++;
        events.push(`${active}`);
        await sleep(120);
        active--;
        activeByTarget.set(t, (activeByTarget.get(t) ?? 1) - 1);
        return "done";
      });
      await Promise.all([qq.add(issueJob(1)), qq.add(issueJob(1)), qq.add(issueJob(2)), qq.add(issueJob(3))]);
      await sleep(100);
      await qq.idle();
      expect(overlapSameTarget).toBe(false);
      expect(events.some((e) => Number(e) > 1)).toBe(true);
    });

    it("lets a newer pull-request head supersede queued work for it", async () => {
      const qq = queue();
      await qq.add(prJob(7, "a".repeat(40)));
      await qq.add(prJob(7, "b".repeat(40)));
      const heads: string[] = [];
      qq.process(async ({ job }) => {
        heads.push(job.head as string);
        return "done";
      });
      await sleep(100);
      await qq.idle();
      expect(heads).toEqual(["b".repeat(40)]);
    });

    it("retries after GitHub's retry-after, marks the retry as resumed and the last try as final", async () => {
      const qq = queue();
      const tries: { at: number; resumed: boolean; final: boolean; fromContext: number }[] = [];
      qq.process(async (r) => {
        tries.push({
          at: Date.now(),
          resumed: r.resumed,
          final: r.final,
          fromContext: currentJob()?.attempt ?? 0,
        });
        if (tries.length === 1)
          throw Object.assign(new Error("secondary rate limit"), {
            status: 403,
            response: { headers: { "retry-after": "1" } },
          });
        return "done";
      });
      await qq.add(issueJob(9));
      await sleep(100);
      await qq.idle();
      await sleep(1200);
      await qq.idle();
      expect(tries).toHaveLength(2);
      expect((tries[1]?.at ?? 0) - (tries[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
      expect(tries.map((t) => [t.resumed, t.final, t.fromContext])).toEqual([
        [false, false, 1],
        [true, false, 2],
      ]);
    });

    it("gives up at once on a client error, and after the last try on others: dead letters", async () => {
      const qq = queue();
      let tries = 0;
      qq.process(async ({ job }) => {
        tries++;
        if (job.target?.endsWith("#1")) throw Object.assign(new Error("Not Found"), { status: 404 });
        throw Object.assign(new Error("Bad Gateway"), { status: 502 });
      });
      await qq.add(issueJob(1));
      await qq.add(issueJob(2));
      const until = Date.now() + 5000;
      while ((await qq.deadLetters()).length < 2 && Date.now() < until) await sleep(50);
      const dead = await qq.deadLetters();
      expect(dead.map((d) => d.reason).sort()).toEqual(["HTTP 404: Not Found", "HTTP 502: Bad Gateway"]);
      expect(tries).toBe(1 + 3);
    });
  });

describe.skipIf(!redisUp)("enqueueing on Redis", () => {
  it("gives a delivery's claim back when it could not be queued, so GitHub's redelivery is taken", async () => {
    const q = new RedisQueue(REDIS_URL, log, SETTINGS, `ad-test-${randomUUID()}`);
    try {
      const bull = (q as unknown as { queue: { addBulk: (...a: unknown[]) => Promise<unknown> } }).queue;
      const addBulk = bull.addBulk.bind(bull);
      bull.addBulk = () => Promise.reject(new Error("READONLY You can't write against a read only replica."));
      const job = issueJob(7);
      await expect(q.add(job)).rejects.toThrow("READONLY");
      bull.addBulk = addBulk;
      expect(await q.add({ ...job })).toBe("queued");
      expect(await q.add({ ...job })).toBe("duplicate");
    } finally {
      await q.close();
    }
  });
});
