import nock from "nock";
import { describe, expect, it } from "vitest";
import { adviceProblems, corpusThread, readCorpus } from "../helpers.js";
import {
  API,
  api,
  calls,
  deliveryId,
  fixture,
  INSTALLATION,
  noConfig,
  OWNER,
  REPO,
  resetNock,
  timeline,
  token,
  useProbot,
  withConfig,
} from "./harness.js";

// biome-ignore lint/suspicious/noExplicitAny: webhook payloads are edited freely in tests
type Payload = Record<string, any>;

const TRACEBACK = `Traceback (most recent call last):
  File "/Users/me/app/venv/lib/python3.12/site-packages/httpcore/_synchronization.py", line 11, in <module>
    import trio
  File "/Users/me/app/venv/lib/python3.12/site-packages/trio/_core/_run.py", line 2950, in <module>
    raise NotImplementedError("unsupported platform")
NotImplementedError: unsupported platform`;
const GEVENT_REPORT = `We run gunicorn -k gevent on macOS.\n\n\`\`\`\n${TRACEBACK}\n\`\`\``;

function opened(title: string, body: string, patch: (p: Payload) => void = () => {}): Payload {
  const p = fixture<Payload>("issues.opened");
  p.issue.title = title;
  p.issue.body = body;
  patch(p);
  return p;
}

function commented(title: string, body: string, comment: string, comments = 1): Payload {
  const p = fixture<Payload>("issue_comment.created");
  p.issue.title = title;
  p.issue.body = body;
  p.issue.comments = comments;
  p.comment.body = comment;
  return p;
}

function botComment(id: number, body: string, created = "2026-11-20T10:05:00Z") {
  return { id, body, user: { login: "async-doctor[bot]", type: "Bot" }, created_at: created };
}
function userComment(id: number, body: string, created = "2026-11-20T10:10:00Z") {
  return { id, body, user: { login: "reporter", type: "User" }, created_at: created };
}

const ISSUE = `/repos/${OWNER}/${REPO}/issues/7`;

const app = useProbot();
const send = app.send;

/** Mocks for one new diagnosis on an issue with no comments: token, config, create, label. */
function expectNewDiagnosis(capture: { body?: string }, labels = true) {
  const scope = api();
  token(scope);
  noConfig(scope);
  scope
    .post(`${ISSUE}/comments`, (b: { body: string }) => {
      capture.body = b.body;
      return true;
    })
    .reply(201, { id: 1 });
  if (labels) {
    scope.post(`/repos/${OWNER}/${REPO}/labels`).reply(201, { name: "concurrency-conflict" });
    scope.post(`${ISSUE}/labels`, { labels: ["concurrency-conflict"] }).reply(200, []);
  }
  return scope;
}

describe("the issue corpus through the whole App", () => {
  for (const c of readCorpus()) {
    it(`${c.name}: ${c.expected.length ? c.expected.join(", ") : "silence"}`, async () => {
      // The thread as GitHub holds it: the description, then comments with their authors'
      // association (the repository owner's are OWNER: not evidence).
      const { title, body, comments } = corpusThread(c);
      const capture: { body?: string } = {};
      const scope = api();
      const positive = c.expected.length > 0;
      if (positive) {
        token(scope);
        noConfig(scope);
      } else {
        // A negative may still read the thread (its text names the family); it must post nothing.
        scope.post(`/app/installations/${INSTALLATION}/access_tokens`).optionally().reply(201, {
          token: "ghs_test",
          expires_at: "2099-01-01T00:00:00Z",
        });
        scope
          .post("/graphql", (b: { query: string }) => b.query.includes("org: repository"))
          .optionally()
          .reply(200, { data: { repo: { object: null }, org: { object: null } } });
      }
      if (comments.length > 0)
        (positive ? scope.get(`${ISSUE}/comments`) : scope.get(`${ISSUE}/comments`).optionally())
          .query(true)
          .reply(
            200,
            comments.map((x, i) => ({
              id: 100 + i,
              body: x.body,
              user: { login: x.author, type: "User" },
              author_association: x.association,
              created_at: `2024-01-01T00:00:${String(i).padStart(2, "0")}Z`,
            })),
          );
      // Something to say on an existing issue: its timeline is read once for linked pull requests.
      if (positive && comments.length > 0) timeline(scope);
      if (c.expected.length > 0) {
        scope
          .post(`${ISSUE}/comments`, (b: { body: string }) => {
            capture.body = b.body;
            return true;
          })
          .reply(201, { id: 1 });
        scope.post(`/repos/${OWNER}/${REPO}/labels`).optionally().reply(201, {});
        scope.post(`${ISSUE}/labels`).optionally().reply(200, []);
      }
      // The event that leads to the final state: the last comment, or the opening.
      const last = comments[comments.length - 1];
      if (last) {
        const p = commented(title, body, last.body, comments.length);
        p.comment.user.login = last.author;
        p.comment.author_association = last.association;
        await send("issue_comment", p);
      } else await send("issues", opened(title, body));
      if (c.expected.length === 0) {
        expect(calls.filter((x) => x.startsWith("POST") && x.includes("/issues/"))).toEqual([]);
        return;
      }
      expect(calls.filter((x) => x === `POST ${ISSUE}/comments`)).toHaveLength(1);
      const marker = /<!-- async-doctor:issue rules=([^ ]*) -->/.exec(capture.body ?? "");
      expect(marker?.[1]?.split(",").sort()).toEqual([...c.expected].sort());
      expect(adviceProblems(capture.body ?? "", c)).toEqual([]);
      await expect(capture.body).toMatchFileSnapshot(`__snapshots__/comments/${c.name}`);
    });
  }
});

describe("sticky comment", () => {
  it("creates one comment, then updates it in place when an edit changes the diagnosis", async () => {
    const first: { body?: string } = {};
    expectNewDiagnosis(first);
    await send("issues", opened("Crash", GEVENT_REPORT));
    expect(first.body).toContain("<!-- async-doctor:issue rules=trio-unsupported-platform -->");

    resetNock();
    const edited = fixture<Payload>("issues.edited");
    edited.issue.title = "Crash";
    edited.issue.body = `${GEVENT_REPORT}\n\nAlso: greenlet.error: cannot switch to a different thread`;
    edited.issue.comments = 1;
    edited.issue.labels = [{ name: "concurrency-conflict" }];
    edited.changes = { body: { from: GEVENT_REPORT } };
    const scope = api();
    noConfig(scope);
    scope
      .get(`${ISSUE}/comments`)
      .query(true)
      .reply(200, [botComment(11, first.body ?? "")]);
    timeline(scope);
    let updated = "";
    scope
      .patch(`/repos/${OWNER}/${REPO}/issues/comments/11`, (b: { body: string }) => {
        updated = b.body;
        return true;
      })
      .reply(200, {});
    await send("issues", edited);
    expect(updated).toContain("rules=trio-unsupported-platform,greenlet-thread-switch");
    expect(calls).toEqual([
      "POST /graphql",
      `GET ${ISSUE}/comments`,
      `GET ${ISSUE}/timeline`,
      `PATCH /repos/${OWNER}/${REPO}/issues/comments/11`,
    ]);
  });

  it("leaves an identical comment alone", async () => {
    const first: { body?: string } = {};
    expectNewDiagnosis(first);
    await send("issues", opened("Crash", GEVENT_REPORT));
    resetNock();
    const scope = api();
    noConfig(scope);
    scope
      .get(`${ISSUE}/comments`)
      .query(true)
      .reply(200, [botComment(11, first.body ?? ""), userComment(12, "any update?")]);
    timeline(scope);
    const p = commented("Crash", GEVENT_REPORT, "Still happens with gevent 24.2.1", 2);
    p.issue.labels = [{ name: "concurrency-conflict" }];
    await send("issue_comment", p);
    expect(
      calls.filter((c) => !c.startsWith("GET") && c !== "POST /graphql" && !c.includes("access_tokens")),
    ).toEqual([]);
  });

  it("answers a redelivery (same delivery id) with nothing new", async () => {
    const first: { body?: string } = {};
    expectNewDiagnosis(first);
    const id = deliveryId();
    const payload = opened("Crash", GEVENT_REPORT);
    await send("issues", payload, id);
    const before = calls.length;
    await send("issues", payload, id);
    expect(calls.length).toBe(before);
  });

  it("serialises two events on one issue so they never create two comments", async () => {
    const scope = api();
    token(scope).persist();
    noConfig(scope);
    noConfig(scope);
    let created = "";
    scope
      .post(`${ISSUE}/comments`, (b: { body: string }) => {
        created = b.body;
        return true;
      })
      .reply(201, { id: 50 });
    scope.post(`/repos/${OWNER}/${REPO}/labels`).reply(201, {});
    scope.post(`${ISSUE}/labels`).reply(200, []);
    // The second event sees the comment the first one created.
    scope
      .get(`${ISSUE}/comments`)
      .query(true)
      .reply(200, () => [botComment(50, created), userComment(51, `again:\n${TRACEBACK}`)]);
    timeline(scope);
    const p2 = commented("Crash", GEVENT_REPORT, `again:\n${TRACEBACK}`, 2);
    p2.issue.labels = [{ name: "concurrency-conflict" }];
    await Promise.all([send("issues", opened("Crash", GEVENT_REPORT)), send("issue_comment", p2)]);
    expect(calls.filter((c) => c === `POST ${ISSUE}/comments`)).toHaveLength(1);
    nock.cleanAll();
  });

  it("heals duplicates left by a race: keeps the oldest, deletes the rest", async () => {
    const scope = api();
    token(scope);
    noConfig(scope);
    const dupBody = "<!-- async-doctor:issue rules=trio-unsupported-platform -->\nold";
    scope
      .get(`${ISSUE}/comments`)
      .query(true)
      .reply(200, [
        botComment(21, dupBody, "2026-11-20T10:01:00Z"),
        userComment(22, "me too"),
        botComment(23, dupBody, "2026-11-20T10:01:01Z"),
      ]);
    timeline(scope);
    scope.delete(`/repos/${OWNER}/${REPO}/issues/comments/23`).reply(204);
    scope.patch(`/repos/${OWNER}/${REPO}/issues/comments/21`).reply(200, {});
    const p = commented("Crash", GEVENT_REPORT, "me too", 3);
    p.issue.labels = [{ name: "concurrency-conflict" }];
    await send("issue_comment", p);
  });

  it("finds its marker on the third page of comments", async () => {
    const scope = api();
    token(scope);
    noConfig(scope);
    const page = (n: number) =>
      Array.from({ length: 100 }, (_, i) => userComment(n * 1000 + i, `comment ${n}/${i}`));
    const link = (next: number, last = 3) =>
      `<${API}${ISSUE}/comments?per_page=100&page=${next}>; rel="next", <${API}${ISSUE}/comments?per_page=100&page=${last}>; rel="last"`;
    scope
      .get(`${ISSUE}/comments`)
      .query({ per_page: "100" })
      .reply(200, page(1), { link: link(2) });
    scope
      .get(`${ISSUE}/comments`)
      .query({ per_page: "100", page: "2" })
      .reply(200, page(2), { link: link(3) });
    scope
      .get(`${ISSUE}/comments`)
      .query({ per_page: "100", page: "3" })
      .reply(200, [botComment(3001, "<!-- async-doctor:issue rules=trio-unsupported-platform -->\nstale")]);
    timeline(scope);
    scope.patch(`/repos/${OWNER}/${REPO}/issues/comments/3001`).reply(200, {});
    const p = commented("Crash", GEVENT_REPORT, "bump", 201);
    p.issue.labels = [{ name: "concurrency-conflict" }];
    await send("issue_comment", p);
    expect(calls.filter((c) => c.startsWith("POST") && c.endsWith("/comments"))).toEqual([]);
  });

  it("answers from the whole thread: the traceback arrives in a later comment", async () => {
    const scope = api();
    token(scope);
    noConfig(scope);
    scope
      .get(`${ISSUE}/comments`)
      .query(true)
      .reply(200, [
        userComment(31, "We use gunicorn with the gevent worker on macOS."),
        userComment(32, TRACEBACK),
      ]);
    timeline(scope);
    let body = "";
    scope
      .post(`${ISSUE}/comments`, (b: { body: string }) => {
        body = b.body;
        return true;
      })
      .reply(201, {});
    scope.post(`/repos/${OWNER}/${REPO}/labels`).reply(201, {});
    scope.post(`${ISSUE}/labels`).reply(200, []);
    await send("issue_comment", commented("App dies at boot", "It crashes, see below.", TRACEBACK, 2));
    expect(body).toContain("rules=trio-unsupported-platform");
    expect(body).toContain("gunicorn's gevent worker");
  });

  it("says the diagnosis no longer applies when an edit removes the evidence", async () => {
    const scope = api();
    token(scope);
    noConfig(scope);
    scope
      .get(`${ISSUE}/comments`)
      .query(true)
      .reply(200, [botComment(41, "<!-- async-doctor:issue rules=trio-unsupported-platform -->\nold")]);
    let body = "";
    scope
      .patch(`/repos/${OWNER}/${REPO}/issues/comments/41`, (b: { body: string }) => {
        body = b.body;
        return true;
      })
      .reply(200, {});
    const edited = fixture<Payload>("issues.edited");
    edited.issue.body = "Sorry, wrong project. It was my own bug.";
    edited.issue.comments = 1;
    edited.changes = { body: { from: GEVENT_REPORT } };
    await send("issues", edited);
    expect(body).toContain("no longer applies");
    expect(body).toContain("`trio-unsupported-platform`");
    expect(calls.some((c) => c.startsWith("DELETE"))).toBe(false);
  });
});

describe("silence and thrift", () => {
  it("makes no API call for an issue without a finding", async () => {
    await send("issues", opened("Add dark mode", "It would be nice to have a dark mode. We use gevent."));
    expect(calls).toEqual([]);
  });

  it("makes no API call for a thank-you comment on a long thread", async () => {
    await send("issue_comment", commented("Crash", "see comments", "Thanks a lot, that fixed it!", 5));
    expect(calls).toEqual([]);
  });

  it("ignores events sent by bots and issues opened by bots", async () => {
    await send(
      "issues",
      opened("Crash", GEVENT_REPORT, (p) => (p.sender = { login: "dependabot[bot]", id: 1, type: "Bot" })),
    );
    await send(
      "issues",
      opened("Crash", GEVENT_REPORT, (p) => (p.issue.user = { login: "renovate[bot]", id: 2, type: "Bot" })),
    );
    const c = commented("Crash", "x", GEVENT_REPORT, 1);
    c.sender = { login: "async-doctor[bot]", id: 3, type: "Bot" };
    c.comment.user = { login: "async-doctor[bot]", id: 3, type: "Bot" };
    await send("issue_comment", c);
    expect(calls).toEqual([]);
  });

  it("skips locked issues, pull-request comments, and closed issues by default", async () => {
    await send(
      "issues",
      opened("Crash", GEVENT_REPORT, (p) => (p.issue.locked = true)),
    );
    const pr = commented("PR", "x", GEVENT_REPORT, 1);
    pr.issue.pull_request = { url: `${API}/repos/${OWNER}/${REPO}/pulls/7` };
    await send("issue_comment", pr);
    expect(calls).toEqual([]);
    const scope = api();
    token(scope);
    noConfig(scope);
    await send(
      "issues",
      opened("Crash", GEVENT_REPORT, (p) => (p.issue.state = "closed")),
    );
    expect(
      calls.filter((c) => c.startsWith("POST") && !c.includes("access_tokens") && c !== "POST /graphql"),
    ).toEqual([]);
  });

  it("with a finding on a new issue costs: token, config lookups, one create, two label calls", async () => {
    expectNewDiagnosis({});
    await send("issues", opened("Crash", GEVENT_REPORT));
    expect(calls).toEqual([
      "POST /app/installations/4242/access_tokens",
      "POST /graphql",
      `POST ${ISSUE}/comments`,
      `POST /repos/${OWNER}/${REPO}/labels`,
      `POST ${ISSUE}/labels`,
    ]);
  });
});

describe("configuration", () => {
  it("does nothing when the App is switched off", async () => {
    const scope = api();
    token(scope);
    withConfig(scope, "enabled: false\n");
    await send("issues", opened("Crash", GEVENT_REPORT));
    expect(
      calls.filter((c) => c.startsWith("POST") && !c.includes("access_tokens") && c !== "POST /graphql"),
    ).toEqual([]);
  });

  it("label-only mode labels without commenting", async () => {
    const scope = api();
    token(scope);
    withConfig(
      scope,
      "issues:\n  mode: label-only\n  labels:\n    rules:\n      trio-unsupported-platform: trio-vs-gevent\n",
    );
    scope
      .post(
        `/repos/${OWNER}/${REPO}/labels`,
        (b: { name: string; color: string; description: string }) =>
          b.name === "trio-vs-gevent" && b.color.length === 6 && b.description.length > 0,
      )
      .reply(201, {});
    scope.post(`${ISSUE}/labels`, { labels: ["trio-vs-gevent"] }).reply(200, []);
    await send("issues", opened("Crash", GEVENT_REPORT));
    expect(calls.some((c) => c.endsWith("/comments"))).toBe(false);
  });

  it("a rule switched off is not reported", async () => {
    const scope = api();
    token(scope);
    withConfig(scope, "rules:\n  trio-unsupported-platform: off\n");
    await send("issues", opened("Crash", GEVENT_REPORT));
    expect(
      calls.filter((c) => c.startsWith("POST") && !c.includes("access_tokens") && c !== "POST /graphql"),
    ).toEqual([]);
  });

  it("an invalid file is logged readably and the defaults apply", async () => {
    const scope = api();
    token(scope);
    withConfig(scope, "issues:\n  mode: loud\nunknown_key: 1\n");
    scope.post(`${ISSUE}/comments`).reply(201, {});
    scope.post(`/repos/${OWNER}/${REPO}/labels`).reply(201, {});
    scope.post(`${ISSUE}/labels`).reply(200, []);
    await send("issues", opened("Crash", GEVENT_REPORT));
    const warn = app.current().logs.find((l) => String(l.msg).includes("invalid .github/async-doctor.yml"));
    expect(String(warn?.msg)).toContain("issues.mode");
    expect(String(warn?.msg)).toContain("unknown_key");
  });

  it("labels: an existing repository label (422) is reused, a label already on the issue is not re-added", async () => {
    const scope = api();
    token(scope);
    noConfig(scope);
    scope.post(`${ISSUE}/comments`).reply(201, {});
    scope
      .post(`/repos/${OWNER}/${REPO}/labels`)
      .reply(422, { message: "Validation Failed", errors: [{ code: "already_exists" }] });
    scope.post(`${ISSUE}/labels`).reply(200, []);
    await send("issues", opened("Crash", GEVENT_REPORT));

    resetNock();
    const s2 = api();
    noConfig(s2);
    // This process commented on the issue already, so it lists comments and updates in place.
    s2.get(`${ISSUE}/comments`)
      .query(true)
      .reply(200, [botComment(5, "<!-- async-doctor:issue rules=x -->\nold")]);
    s2.patch(`/repos/${OWNER}/${REPO}/issues/comments/5`).reply(200, {});
    await send(
      "issues",
      opened("Crash", GEVENT_REPORT, (p) => (p.issue.labels = [{ name: "Concurrency-Conflict" }])),
    );
    expect(calls.some((c) => c.includes("/labels"))).toBe(false);
  });
});

describe("hostile text", () => {
  it("never renders user text unescaped", async () => {
    const capture: { body?: string } = {};
    expectNewDiagnosis(capture);
    const evil = [
      "@acme/maintainers please look <script>alert(1)</script> </details> ````",
      "We run gunicorn -k gevent on macOS.",
      "```",
      TRACEBACK.replace(
        "NotImplementedError: unsupported platform",
        "NotImplementedError: unsupported platform @octocat <img src=x onerror=alert(1)> ```` </details>",
      ),
      "```",
    ].join("\n");
    await send("issues", opened("@everyone <b>urgent</b>", evil));
    const body = capture.body ?? "";
    // Outside code blocks and spans, nothing of the user's text survives raw.
    const outside = body.replace(/(`{3,})[^\n]*\n[\s\S]*?\n\1/g, "").replace(/(`+)[^`]*?\1/g, "");
    expect(outside).not.toContain("<script>");
    expect(outside).not.toContain("<img");
    expect(outside).not.toContain("@octocat");
    expect(outside).not.toContain("@acme");
    expect(outside).not.toContain("@everyone");
    expect((outside.match(/<details>/g) ?? []).length).toBe((outside.match(/<\/details>/g) ?? []).length);
  });
});

describe("failures and races", () => {
  it("a failed delivery can be redelivered; an event racing a new comment lists comments instead of creating a second one", async () => {
    const scope = api();
    token(scope);
    noConfig(scope);
    scope.post(`${ISSUE}/comments`).reply(500, { message: "boom" });
    const id = deliveryId();
    await expect(send("issues", opened("Crash", GEVENT_REPORT), id)).rejects.toThrow();

    resetNock();
    const capture: { body?: string } = {};
    const s2 = api();
    noConfig(s2);
    s2.post(`${ISSUE}/comments`, (b: { body: string }) => {
      capture.body = b.body;
      return true;
    }).reply(201, { id: 90 });
    s2.post(`/repos/${OWNER}/${REPO}/labels`).reply(201, {});
    s2.post(`${ISSUE}/labels`).reply(200, []);
    await send("issues", opened("Crash", GEVENT_REPORT), id);
    expect(capture.body).toContain("rules=trio-unsupported-platform");

    // An edit whose payload still says "0 comments" must find the comment just created.
    resetNock();
    const s3 = api();
    noConfig(s3);
    s3.get(`${ISSUE}/comments`)
      .query(true)
      .reply(200, [botComment(90, capture.body ?? "")]);
    timeline(s3);
    const edited = fixture<Payload>("issues.edited");
    edited.issue.title = "Crash";
    edited.issue.body = `${GEVENT_REPORT}\n`;
    edited.issue.labels = [{ name: "concurrency-conflict" }];
    edited.changes = { body: { from: GEVENT_REPORT } };
    await send("issues", edited);
    expect(calls.some((c) => c === `POST ${ISSUE}/comments`)).toBe(false);
  });
});
