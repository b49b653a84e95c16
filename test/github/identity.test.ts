/** The App learns its own bot account from `GET /app` (once per process) and owns only its comments. */
import { describe, expect, it } from "vitest";
import { api, calls, fixture, graphqlConfig, OWNER, REPO, timeline, token, useProbot } from "./harness.js";

// biome-ignore lint/suspicious/noExplicitAny: webhook payloads are edited freely in tests
type Payload = Record<string, any>;

const app = useProbot({ me: "app" });
const ISSUE = `/repos/${OWNER}/${REPO}/issues/7`;
const REPORT =
  'macOS, gevent patched:\n```\n  File "/Users/a/v/lib/python3.12/site-packages/trio/_core/_run.py", line 2950, in <module>\n    raise NotImplementedError("unsupported platform")\nNotImplementedError: unsupported platform\n```';
const MARKED = "<!-- async-doctor:issue rules=trio-unsupported-platform -->\nold text";

function event(): Payload {
  const p = fixture<Payload>("issue_comment.created");
  p.issue.title = "Crash";
  p.issue.body = REPORT;
  p.issue.comments = 3;
  p.issue.labels = [{ name: "concurrency-conflict" }];
  p.comment.body = "me too";
  return p;
}

describe("the App's own identity", () => {
  it("asks GET /app once, then updates only the comment its own bot account wrote", async () => {
    const scope = api();
    scope.get("/app").once().reply(200, { id: 123, slug: "async-doctor-test" });
    token(scope); // the installation token is cached between events
    for (let i = 0; i < 2; i++) {
      graphqlConfig(scope, null);
      scope
        .get(`${ISSUE}/comments`)
        .query(true)
        .reply(200, [
          {
            id: 11,
            body: MARKED,
            user: { login: "impostor[bot]", type: "Bot" },
            created_at: "2026-11-20T10:00:00Z",
          },
          {
            id: 12,
            body: MARKED,
            user: { login: "async-doctor-test[bot]", type: "Bot" },
            created_at: "2026-11-20T10:01:00Z",
          },
        ]);
      timeline(scope);
      scope.patch(`/repos/${OWNER}/${REPO}/issues/comments/12`).reply(200, {});
    }
    await app.send("issue_comment", event());
    await app.send("issue_comment", event());
    expect(calls.filter((c) => c === "GET /app")).toHaveLength(1);
    expect(calls.filter((c) => c.includes("/comments/11"))).toHaveLength(0);
  });
});
