/**
 * Redis goes away and comes back, through the real processes: a web and a worker on a Redis of
 * their own (another port, append-only file, as production should run it). While Redis is down a
 * delivery is answered 503 within seconds (not held until GitHub gives up), `/readyz` says so and
 * `/healthz` stays up; a job in flight when Redis went down is finished once; after the restart the
 * refused delivery is redelivered and everything is done exactly once: nothing lost, nothing doubled.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { privateKey } from "../github/harness.js";
import { FakeGitHub } from "./fake-github.js";
import { issueBody, postSigned, pullBody, sleep, until } from "./payloads.js";
import { appEnv, cleanDir, freePort, start, waitFor } from "./processes.js";

const SECRET = "restart-secret";
const haveRedis = spawnSync("redis-server", ["--version"]).status === 0;

describe.skipIf(!haveRedis)("a Redis restart in the middle of the work", () => {
  const gh = new FakeGitHub();
  const dir = cleanDir();
  const data = mkdtempSync(join(tmpdir(), "ad-redis-"));
  let redisPort = 0;
  let redis: ChildProcess | null = null;
  let web: ReturnType<typeof start>;
  let worker: ReturnType<typeof start>;
  let base = "";

  const startRedis = async () => {
    redis = spawn(
      "redis-server",
      [
        "--port",
        String(redisPort),
        "--bind",
        "127.0.0.1",
        "--dir",
        data,
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
        "--save",
        "",
      ],
      { stdio: "ignore" },
    );
    for (let i = 0; i < 100; i++) {
      if (
        spawnSync("redis-cli", ["-p", String(redisPort), "ping"])
          .stdout?.toString()
          .includes("PONG")
      )
        return;
      await sleep(100);
    }
    throw new Error("redis-server did not start");
  };
  const stopRedis = async () => {
    const r = redis;
    if (!r) return;
    const gone = new Promise((res) => r.once("exit", res));
    r.kill("SIGTERM");
    await gone;
    redis = null;
  };

  beforeAll(async () => {
    redisPort = await freePort();
    await startRedis();
    await gh.start();
    const env = appEnv(gh.port, SECRET, privateKey(), {
      LOG_LEVEL: "info",
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      ASYNC_DOCTOR_QUEUE_BACKOFF_MS: "300",
      ASYNC_DOCTOR_LOCK_MS: "2000",
      ASYNC_DOCTOR_ENQUEUE_TIMEOUT_MS: "3000",
    });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    web = start(dir, { ...env, PORT: String(port) }, ["web"]);
    worker = start(dir, env, ["worker"]);
    await waitFor(`${base}/healthz`);
    await sleep(1500);
  }, 60_000);

  afterAll(async () => {
    for (const p of [web, worker]) p.child.kill("SIGKILL");
    await stopRedis();
    gh.stop();
  });

  const post = (event: string, body: string, delivery: string) =>
    postSigned(base, SECRET, event, body, delivery);

  it("nothing is lost and nothing is done twice", async () => {
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    // Before: a delivery done, and a review whose writing is in flight when Redis goes away.
    expect((await post("issues", issueBody(81), randomUUID())).status).toBe(202);
    await until(() => (gh.issueComments.get(81) ?? []).length === 1);
    const head = "a7".repeat(20);
    const held = gh.hold("POST", /\/pulls\/82\/reviews$/);
    expect((await post("pull_request", pullBody(gh, 82, head), randomUUID())).status).toBe(202);
    await held.reached;

    await stopRedis();
    // During: refused within seconds (GitHub shows it failed; it can be redelivered), not held.
    const refused = randomUUID();
    const t = Date.now();
    const during = await post("issues", issueBody(83), refused);
    expect(during.status).toBe(503);
    expect(Date.now() - t).toBeLessThan(6000);
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    held.release();
    await sleep(1000);

    await startRedis();
    for (let i = 0; i < 100 && (await fetch(`${base}/readyz`)).status !== 200; i++) await sleep(100);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    // After: the refused delivery redelivered (same id) and new work, writes included.
    expect(await (await post("issues", issueBody(83), refused)).json()).toMatchObject({ outcome: "queued" });
    const head2 = "b8".repeat(20);
    expect((await post("pull_request", pullBody(gh, 84, head2), randomUUID())).status).toBe(202);
    const done = (sha: string) => gh.checkRuns.some((r) => r.head_sha === sha && r.status === "completed");
    await until(() => (gh.issueComments.get(83) ?? []).length === 1 && done(head) && done(head2), 45_000);
    await sleep(2500);
    expect(gh.issueComments.get(81)).toHaveLength(1);
    expect(gh.issueComments.get(83)).toHaveLength(1);
    for (const [n, sha] of [
      [82, head],
      [84, head2],
    ] as const) {
      expect(gh.reviews.get(n) ?? []).toHaveLength(1);
      expect(gh.checkRuns.filter((r) => r.head_sha === sha)).toHaveLength(1);
    }
    const logs = `${web.output()}${worker.output()}`;
    expect(logs).not.toContain("SETTINGS_KEY_NOT_FOUND");
    expect(logs).not.toContain("job failed for good");
    expect(web.child.exitCode).toBeNull();
    expect(worker.child.exitCode).toBeNull();
  }, 120_000);
});
