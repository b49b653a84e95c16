/**
 * Bounded work through the real server and replicas (two web and one worker process on the
 * machine's Redis, a GitHub stand-in): a pull request with a 150 KB manifest is reviewed once;
 * a signed body replayed under a fresh delivery id is refused; bodies share a byte budget,
 * chunked bodies are held to GitHub's cap, and slow headers are cut.
 */
import { randomUUID } from "node:crypto";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { privateKey } from "../github/harness.js";
import { REDIS_URL, redisUp } from "../queue/redis-available.js";
import { FakeGitHub } from "./fake-github.js";
import { hostileManifest, issueBody, postSigned, pullBody, sleep, until } from "./payloads.js";
import { appEnv, cleanDir, start, startWebs } from "./processes.js";

const SECRET = "hardening-secret";

describe.skipIf(!redisUp)("bounded work through the replicas", () => {
  const gh = new FakeGitHub();
  const dir = cleanDir();
  const prefix = `ad-hard-${randomUUID()}`;
  const webs: { base: string; port: number; run: ReturnType<typeof start> }[] = [];
  let worker: ReturnType<typeof start>;

  beforeAll(async () => {
    await gh.start();
    const env = appEnv(gh.port, SECRET, privateKey(), {
      LOG_LEVEL: "info",
      REDIS_URL,
      ASYNC_DOCTOR_REDIS_PREFIX: prefix,
      ASYNC_DOCTOR_QUEUE_BACKOFF_MS: "300",
      ASYNC_DOCTOR_LOCK_MS: "2000",
      ASYNC_DOCTOR_INFLIGHT_MB: "8",
      ASYNC_DOCTOR_HEADERS_TIMEOUT_MS: "1500",
    });
    for (const w of await startWebs(dir, env)) webs.push(w);
    worker = start(dir, env, ["worker"]);
    await sleep(1500);
  }, 60_000);

  afterAll(() => {
    for (const p of [...webs.map((w) => w.run), worker]) p.child.kill("SIGKILL");
    gh.stop();
  });

  const post = (web: number, event: string, body: string, delivery: string) =>
    postSigned(webs[web]?.base ?? "", SECRET, event, body, delivery);

  it("a pull request with a 150 KB manifest of 20,000 entries is reviewed once, without a retry", async () => {
    const head = "f6".repeat(20);
    const manifest = hostileManifest(20_000);
    expect(manifest.length).toBeGreaterThan(150_000);
    const body = pullBody(gh, 41, head, [
      { filename: "pyproject.toml", status: "modified", patch: "@@ -1 +1 @@\n-x\n+y", content: manifest },
    ]);
    const t = Date.now();
    expect((await post(0, "pull_request", body, randomUUID())).status).toBe(202);
    await until(() => gh.checkRuns.some((r) => r.head_sha === head && r.status === "completed"), 30_000);
    const done = Date.now() - t;
    await sleep(1000);
    expect(gh.checkRuns.filter((r) => r.head_sha === head)).toHaveLength(1);
    expect(gh.reviews.get(41) ?? []).toHaveLength(1);
    const run = gh.checkRuns.find((r) => r.head_sha === head) as { output?: { text?: string } };
    expect(run.output?.text).toContain("more than 5,000 entries: the first 5,000 were read");
    expect(worker.output()).not.toContain("will retry");
    expect(done).toBeLessThan(20_000);
  }, 60_000);

  it("a signed body replayed under a fresh delivery id is refused and logged, and does nothing", async () => {
    const body = issueBody(71);
    const first = await post(0, "issues", body, randomUUID());
    expect(await first.json()).toMatchObject({ outcome: "queued" });
    const again = await post(1, "issues", body, randomUUID());
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ outcome: "duplicate" });
    await until(() => (gh.issueComments.get(71) ?? []).length > 0);
    await sleep(1500);
    expect(gh.issueComments.get(71)).toHaveLength(1);
    expect(webs[1]?.run.output()).toContain("a body already delivered under another delivery id");
  }, 30_000);

  it("unsigned bodies share a byte budget (503 above it); a chunked body over 25 MB is cut at the cap", async () => {
    // Three connections each send 3 MB and wait: the third passes the 8 MB budget.
    const held = await Promise.all(
      [0, 1, 2].map(() => partialPost(webs[0]?.port as number, 3 * 1024 * 1024)),
    );
    const answers = await Promise.all(held.map((h) => h.answer(2000)));
    expect(answers.filter((a) => a.startsWith("HTTP/1.1 503"))).toHaveLength(1);
    for (const h of held) h.socket.destroy();
    expect(webs[0]?.run.output()).toContain("too many bytes in flight");
    // Under the budget again: a chunked body with no length goes on until it passes 25 MB.
    const chunked = await partialPost(webs[1]?.port as number, 0);
    let sent = 0;
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    while (sent <= 26 * 1024 * 1024 && !chunked.socket.destroyed) {
      const wrote = await new Promise<boolean>((r) =>
        chunked.socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`, (e) => r(!e)),
      );
      if (!wrote) break;
      sent += chunk.length;
    }
    const answer = await chunked.answer(3000);
    expect(answer.startsWith("HTTP/1.1 413") || chunked.socket.destroyed).toBe(true);
    expect(sent).toBeLessThan(27 * 1024 * 1024);
  }, 30_000);

  it("a client that sends its headers too slowly is cut off", async () => {
    const socket = connect(webs[0]?.port as number, "127.0.0.1");
    await new Promise((r) => socket.once("connect", r));
    socket.resume(); // read what the server says, so that its close is seen
    socket.write("POST /api/github/webhooks HTTP/1.1\r\nHost: x\r\n");
    const closed = new Promise<number>((r) => {
      const t = Date.now();
      socket.once("close", () => r(Date.now() - t));
    });
    const ms = await Promise.race([closed, sleep(8000).then(() => -1)]);
    expect(ms).toBeGreaterThan(0);
    expect(ms).toBeLessThan(6000);
    for (const w of webs) expect((await fetch(`${w.base}/healthz`)).status).toBe(200);
  }, 15_000);
});

/** A raw POST that declares no length and sends `bytes` of a chunked body, then waits. */
async function partialPost(port: number, bytes: number) {
  const socket = connect(port, "127.0.0.1");
  await new Promise((r) => socket.once("connect", r));
  let reply = "";
  socket.on("data", (d) => {
    reply += d;
  });
  socket.on("error", () => undefined);
  socket.write(
    `POST /api/github/webhooks HTTP/1.1\r\nHost: x\r\nx-github-event: issues\r\nx-github-delivery: ${randomUUID()}\r\ntransfer-encoding: chunked\r\n\r\n`,
  );
  if (bytes > 0) {
    const body = Buffer.alloc(bytes, 0x20);
    await new Promise<void>((r) => socket.write(`${bytes.toString(16)}\r\n${body}\r\n`, () => r()));
  }
  return {
    socket,
    /** What the server answered within `ms` ("" when nothing came). */
    async answer(ms: number): Promise<string> {
      const end = Date.now() + ms;
      while (!reply && !socket.destroyed && Date.now() < end) await sleep(50);
      return reply;
    },
  };
}
