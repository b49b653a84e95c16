/**
 * Linked pull requests (issue 19): a pull request that references the issue and already makes
 * the best fix is the answer; the App says nothing over it. One timeline request, only when there
 * is something to say on an issue that already existed.
 */
import { describe, expect, it } from "vitest";
import { api, calls, fixture, noConfig, OWNER, REPO, timeline, token, useProbot } from "./harness.js";

// biome-ignore lint/suspicious/noExplicitAny: webhook payloads are edited freely in tests
type Payload = Record<string, any>;

const app = useProbot();
const ISSUE = `/repos/${OWNER}/${REPO}/issues/7`;
const REPORT =
  "We use gunicorn with the gevent worker and psycopg2. Under gevent, psycopg2 queries block every other greenlet, so requests are serialised.";

function commented(): Payload {
  const p = fixture<Payload>("issue_comment.created");
  p.issue.title = "Requests are served one at a time";
  p.issue.body = REPORT;
  p.issue.comments = 1;
  p.comment.body = "Same here, any news?";
  return p;
}

function crossReference(
  number: number,
  title: string,
  body: string,
  state: "open" | "closed" = "open",
  merged = false,
) {
  return {
    event: "cross-referenced",
    created_at: "2026-11-20T10:00:00Z",
    source: {
      type: "issue",
      issue: {
        number,
        title,
        body,
        state,
        pull_request: { merged_at: merged ? "2026-11-21T10:00:00Z" : null },
        repository: { full_name: `${OWNER}/${REPO}` },
      },
    },
  };
}

/** The thread's one human comment, as the comments listing gives it. */
function oneComment(scope: ReturnType<typeof api>): void {
  scope
    .get(`${ISSUE}/comments`)
    .query(true)
    .reply(200, [
      {
        id: 11,
        body: "Same here, any news?",
        user: { login: "someone", type: "User" },
        author_association: "NONE",
        created_at: "2026-11-20T09:00:00Z",
      },
    ]);
}

/** Mocks for a diagnosis of the commented issue; returns the posted body, if any. */
async function diagnose(events: unknown[] | "forbidden", expectComment: boolean): Promise<string> {
  const scope = api();
  token(scope);
  noConfig(scope);
  oneComment(scope);
  if (events === "forbidden")
    scope.get(`${ISSUE}/timeline`).query(true).reply(403, { message: "Resource not accessible" });
  else timeline(scope, events);
  let body = "";
  if (expectComment) {
    scope
      .post(`${ISSUE}/comments`, (b: { body: string }) => {
        body = b.body;
        return true;
      })
      .reply(201, { id: 20 });
    // Labels go only on high-confidence findings (this one is inferred).
  }
  await app.send("issue_comment", commented());
  return body;
}

describe("linked pull requests", () => {
  it("says nothing when an open pull request linked to the issue makes the best fix", async () => {
    const body = await diagnose(
      [
        crossReference(
          12,
          "Patch psycopg2 with psycogreen",
          "Calls patch_psycopg() after gevent's patch. Fixes #7.",
        ),
      ],
      false,
    );
    expect(body).toBe("");
    expect(calls.filter((c) => c.endsWith("/timeline"))).toHaveLength(1);
    expect(calls.some((c) => c.startsWith("POST") && c.includes("/issues/"))).toBe(false);
  });

  it("still answers when the linked pull request was closed without merging, or reverts the fix", async () => {
    const closed = await diagnose([crossReference(12, "Use psycogreen", "Fixes #7", "closed", false)], true);
    expect(closed).toContain("psycogreen");
  });

  it("still answers when the linked pull request takes the fix back", async () => {
    const reverted = await diagnose(
      [crossReference(13, "Revert psycogreen patching", "It broke our tests. See #7.", "closed", true)],
      true,
    );
    expect(reverted).toContain("psycogreen");
  });

  it("answers as before when no pull request is linked, or the timeline cannot be read", async () => {
    const none = await diagnose([{ event: "labeled", label: { name: "bug" } }], true);
    expect(none).toContain("rules=gevent-psycopg2");
    expect(none).toContain("psycogreen");
  });

  it("a timeline it may not read (403) does not stop the answer", async () => {
    const body = await diagnose("forbidden", true);
    expect(body).toContain("rules=gevent-psycopg2");
  });

  it("a merged pull request making another fix leaves that fix out, not the answer", async () => {
    const body = await diagnose(
      [crossReference(14, "Move to psycopg 3", "We switch the driver to psycopg3. Refs #7", "closed", true)],
      true,
    );
    expect(body).toContain("psycogreen");
    expect(body.toLowerCase()).not.toContain("psycopg 3");
  });

  it("on a long thread, reads the timeline's last pages too: a pull request linked late counts", async () => {
    const scope = api();
    token(scope);
    noConfig(scope);
    oneComment(scope);
    const filler = Array.from({ length: 100 }, () => ({ event: "subscribed" }));
    const asked: string[] = [];
    const url = `https://api.github.com${ISSUE}/timeline?per_page=100`;
    const pages: Record<string, unknown[]> = {
      "1": filler,
      "4": filler,
      "5": [crossReference(12, "Patch psycopg2 with psycogreen", "Calls patch_psycopg(). Fixes #7.")],
    };
    scope
      .get(`${ISSUE}/timeline`)
      .query(true)
      .times(3)
      .reply(function () {
        const n = new URL(this.req.path, "https://api.github.com").searchParams.get("page") ?? "1";
        asked.push(n);
        return [200, pages[n] ?? [], { link: `<${url}&page=2>; rel="next", <${url}&page=5>; rel="last"` }];
      });
    await app.send("issue_comment", commented());
    // The first page, then the last two: the pull request is on the last.
    expect(asked).toEqual(["1", "4", "5"]);
    expect(calls.some((c) => c.startsWith("POST") && c.includes("/issues/"))).toBe(false);
  });

  it("never reads the timeline of a new issue", async () => {
    const scope = api();
    token(scope);
    noConfig(scope);
    scope.post(`${ISSUE}/comments`).reply(201, { id: 20 });
    const p = fixture<Payload>("issues.opened");
    p.issue.title = "Requests are served one at a time";
    p.issue.body = REPORT;
    await app.send("issues", p);
    expect(calls.some((c) => c.endsWith("/timeline"))).toBe(false);
  });
});
