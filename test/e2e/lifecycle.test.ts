/**
 * Starting and stopping the App as an operator does: a bad private key is refused at start; a
 * work thread that keeps dying stops the process instead of spinning; SIGTERM with hundreds of slow
 * clients connected and a job in hand finishes the job and exits within the grace.
 */
import { randomUUID } from "node:crypto";
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { privateKey } from "../github/harness.js";
import { FakeGitHub } from "./fake-github.js";
import { issueBody, signed, sleep, until } from "./payloads.js";
import { appEnv, cleanDir, freePort, start, waitFor } from "./processes.js";

const SECRET = "lifecycle-secret";

describe("starting and stopping", () => {
  const gh = new FakeGitHub();
  const dir = cleanDir();
  beforeAll(() => gh.start());
  afterAll(() => gh.stop());

  it("refuses to start with a private key that cannot sign, and says why without echoing it", async () => {
    for (const key of ["not a key", "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----"]) {
      const app = start(dir, { ...appEnv(gh.port, SECRET, key), PORT: String(await freePort()) });
      const code = await Promise.race([app.exited, sleep(15_000).then(() => "hung")]);
      expect(code).toBe(1);
      expect(app.output()).toMatch(
        /refusing to start: the private key (is not a valid PEM private key|could not be read)/,
      );
      expect(app.output()).not.toContain("AAAA");
    }
  }, 40_000);

  it("a work thread that dies again and again stops the process (exit 1) instead of spinning", async () => {
    const env = appEnv(gh.port, SECRET, privateKey(), { ASYNC_DOCTOR_WORK_HEAP_MB: "1" });
    const app = start(dir, { ...env, PORT: String(await freePort()) });
    const code = await Promise.race([app.exited, sleep(30_000).then(() => "hung")]);
    expect(code).toBe(1);
    expect(app.output()).toContain("the work thread died 5 times in a row");
  }, 40_000);

  it("SIGTERM with 400 slow clients and a job in hand: the job is finished, the process exits in the grace", async () => {
    const port = await freePort();
    const env = appEnv(gh.port, SECRET, privateKey(), {
      ASYNC_DOCTOR_SHUTDOWN_GRACE_MS: "3000",
      LOG_LEVEL: "info",
    });
    const app = start(dir, { ...env, PORT: String(port) });
    const base = `http://127.0.0.1:${port}`;
    await waitFor(`${base}/healthz`);
    await sleep(1000);
    const held = gh.hold("POST", /\/issues\/91\/comments$/);
    const body = issueBody(91);
    const r = await fetch(`${base}/api/github/webhooks`, {
      method: "POST",
      headers: signed(SECRET, "issues", randomUUID(), body),
      body,
    });
    expect(r.status).toBe(202);
    await held.reached;
    // 400 clients that send part of a request and then nothing.
    const slow: Socket[] = [];
    for (let i = 0; i < 400; i++) {
      const s = connect(port, "127.0.0.1");
      s.on("error", () => undefined);
      s.write(`POST /api/github/webhooks HTTP/1.1\r\nHost: x\r\ncontent-length: 100000\r\n\r\n{"a":`);
      slow.push(s);
    }
    await sleep(500);
    const t = Date.now();
    app.child.kill("SIGTERM");
    await sleep(300);
    held.release();
    const code = await Promise.race([app.exited, sleep(20_000).then(() => "hung")]);
    const took = Date.now() - t;
    for (const s of slow) s.destroy();
    expect(code).toBe(0);
    expect(took).toBeLessThan(8000);
    await until(() => (gh.issueComments.get(91) ?? []).length === 1, 1000);
    expect(app.output()).toContain("stopping: no new jobs or connections");
  }, 40_000);
});
