/** `issues.related`: earlier issues with the same diagnosis, from one search request. */
import { describe, expect, it } from "vitest";
import { api, calls, fixture, OWNER, REPO, token, useProbot, withConfig } from "./harness.js";

// biome-ignore lint/suspicious/noExplicitAny: webhook payloads are edited freely in tests
type Payload = Record<string, any>;

const REPORT = `We run gunicorn -k gevent on macOS.

\`\`\`
Traceback (most recent call last):
  File "/Users/me/app/venv/lib/python3.12/site-packages/httpcore/_synchronization.py", line 11, in <module>
    import trio
  File "/Users/me/app/venv/lib/python3.12/site-packages/trio/_core/_run.py", line 2950, in <module>
    raise NotImplementedError("unsupported platform")
NotImplementedError: unsupported platform
\`\`\``;

const app = useProbot();
const ISSUE = `/repos/${OWNER}/${REPO}/issues/7`;

function opened(): Payload {
  const p = fixture<Payload>("issues.opened");
  p.issue.title = "Crash on import";
  p.issue.body = REPORT;
  return p;
}

function expectComment(scope: ReturnType<typeof api>, capture: { body?: string }) {
  scope
    .post(`${ISSUE}/comments`, (b: { body: string }) => {
      capture.body = b.body;
      return true;
    })
    .reply(201, { id: 1 });
  scope.post(`/repos/${OWNER}/${REPO}/labels`).reply(201, {});
  scope.post(`${ISSUE}/labels`).reply(200, []);
}

describe("related issues", () => {
  it("lists earlier issues found by one search for the rule's id, not this one, not pull requests, not later ones", async () => {
    const scope = api();
    token(scope);
    withConfig(scope, "issues:\n  related: true\n");
    let query = "";
    scope
      .get("/search/issues")
      .query((q) => {
        query = String(q.q);
        return true;
      })
      .reply(200, {
        total_count: 5,
        items: [{ number: 9 }, { number: 7 }, { number: 5, pull_request: {} }, { number: 4 }, { number: 2 }],
      });
    const capture: { body?: string } = {};
    expectComment(scope, capture);
    await app.send("issues", opened());
    expect(query).toBe(
      `repo:${OWNER}/${REPO} is:issue in:comments "async-doctor" "trio-unsupported-platform"`,
    );
    expect(calls.filter((c) => c.startsWith("GET /search/issues"))).toHaveLength(1);
    expect(capture.body).toContain("Same cause as #4, #2.");
  });

  it("a failed search lists nothing and the comment is still posted", async () => {
    const scope = api();
    token(scope);
    withConfig(scope, "issues:\n  related: true\n");
    scope.get("/search/issues").query(true).reply(403, { message: "API rate limit exceeded" });
    const capture: { body?: string } = {};
    expectComment(scope, capture);
    await app.send("issues", opened());
    expect(capture.body).toContain("**async-doctor**");
    expect(capture.body).not.toContain("Same cause as");
  });

  it("is off by default: no search request", async () => {
    const scope = api();
    token(scope);
    withConfig(scope, "issues:\n  enabled: true\n");
    const capture: { body?: string } = {};
    expectComment(scope, capture);
    await app.send("issues", opened());
    expect(calls.some((c) => c.includes("/search/"))).toBe(false);
    expect(capture.body).not.toContain("Same cause as");
  });
});
