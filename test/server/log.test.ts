/**
 * A failed job is logged with its delivery id, event and sizes, never with the payload: through
 * Probot's own error handler (what logged whole 25 MB issue bodies before) and for Octokit errors.
 */
import { Writable } from "node:stream";
import { Probot } from "probot";
import { describe, expect, it } from "vitest";
import { createLog } from "../../src/server/log.js";
import { privateKey } from "../github/harness.js";

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, log: createLog({ LOG_LEVEL: "info" }, { role: "test" }, stream) };
}

const SECRET_TEXT = "stranger's text ";

describe("logs", () => {
  it("a handler failure through Probot's error handler: delivery id, event and payload size, no payload", async () => {
    const { lines, log } = capture();
    const probot = new Probot({ appId: 1, privateKey: privateKey(), log });
    probot.on("issues", () => {
      throw Object.assign(new Error("boom"), { status: 502 });
    });
    const payload = { action: "opened", issue: { number: 1, body: SECRET_TEXT.repeat(100_000) } };
    await probot
      .receive({ id: "delivery-1", name: "issues", payload } as Parameters<Probot["receive"]>[0])
      .catch(() => undefined);
    const out = lines.join("");
    expect(out).toContain("boom");
    expect(out).toContain("delivery-1");
    expect(out).not.toContain(SECRET_TEXT);
    expect(out.length).toBeLessThan(20_000);
    const line = JSON.parse(lines.find((l) => l.includes("boom")) ?? "{}") as {
      err?: Record<string, unknown>;
    };
    expect(line.err).toMatchObject({
      message: "boom",
      status: 502,
      event: { id: "delivery-1", name: "issues", action: "opened" },
    });
    expect((line.err?.event as { payloadBytes?: number } | undefined)?.payloadBytes).toBeGreaterThan(
      1_600_000,
    );
  });

  it("an Octokit error keeps its method, URL and status, not the bodies it carried", () => {
    const { lines, log } = capture();
    const e = Object.assign(new Error("Validation Failed"), {
      status: 422,
      request: {
        method: "POST",
        url: "https://api.github.com/repos/o/r/issues/1/comments",
        body: SECRET_TEXT.repeat(10),
      },
      response: { data: { echoed: SECRET_TEXT }, headers: {} },
    });
    log.error({ err: e, payload: { x: SECRET_TEXT } }, "request failed");
    const line = JSON.parse(lines[0] ?? "{}") as Record<string, unknown>;
    expect(line.err).toMatchObject({
      status: 422,
      request: { method: "POST", url: "https://api.github.com/repos/o/r/issues/1/comments" },
    });
    expect(line.payload).toBe("[omitted]");
    expect(lines[0]).not.toContain(SECRET_TEXT);
  });
});
