import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  API,
  api,
  calls,
  deliveryId,
  fixture,
  type Harness,
  makeProbot,
  OWNER,
  REPO,
  resetNock,
  token,
} from "./harness.js";

// biome-ignore lint/suspicious/noExplicitAny: webhook payloads are edited freely in tests
type Payload = Record<string, any>;

const HEAD = "1111111111111111111111111111111111111111";
const HEAD2 = "2222222222222222222222222222222222222222";
const BASE = "0000000000000000000000000000000000000000";
const PULL = `/repos/${OWNER}/${REPO}/pulls/12`;

const LATE_PATCH_SRC =
  "import requests\nfrom gevent import monkey\nmonkey.patch_all()\n\n\ndef main():\n    requests.get('https://example.com')\n";

function addedPatch(src: string): string {
  const lines = src.replace(/\n$/, "").split("\n");
  return `@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join("\n")}`;
}

interface File {
  filename: string;
  status: string;
  patch?: string;
  previous_filename?: string;
}

let h: Harness;
beforeEach(async () => {
  resetNock();
  h = await makeProbot();
});
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});

async function send(name: string, payload: Payload, id = deliveryId()) {
  await h.probot.receive({ id, name: name as never, payload: payload as never });
}

/** GraphQL: the config query (repository + organisation .github). */
function graphqlConfig(scope: nock.Scope, yaml: string | null = null) {
  return scope
    .post("/graphql", (b: { query: string }) => b.query.includes("org: repository"))
    .reply(200, { data: { repo: { object: yaml === null ? null : { text: yaml } }, org: { object: null } } });
}

/** GraphQL: blob contents by "sha:path" expression. */
function graphqlContents(
  scope: nock.Scope,
  blobs: Record<string, string | null>,
  seen?: { vars?: Record<string, string> },
) {
  return scope
    .post("/graphql", (b: { query: string }) => b.query.includes("on Blob { text isBinary byteSize }"))
    .reply(200, (_uri, body) => {
      const vars = (body as { variables: Record<string, string> }).variables;
      if (seen) seen.vars = vars;
      const repository: Record<string, unknown> = {};
      for (const [k, expr] of Object.entries(vars)) {
        if (k === "owner" || k === "repo") continue;
        const text = blobs[expr];
        repository[k] = text === undefined ? null : { text, isBinary: false, byteSize: (text ?? "").length };
      }
      return { data: { repository } };
    });
}

function checks(scope: nock.Scope, capture: { create?: Payload; updates: Payload[] } = { updates: [] }) {
  scope
    .post(`/repos/${OWNER}/${REPO}/check-runs`, (b: Payload) => {
      capture.create = b;
      return true;
    })
    .reply(201, { id: 77 });
  return capture;
}

function files(scope: nock.Scope, list: File[]) {
  scope.get(`${PULL}/files`).query({ per_page: "100" }).reply(200, list);
}

function opened(patch: (p: Payload) => void = () => {}): Payload {
  const p = fixture<Payload>("pull_request.opened");
  patch(p);
  return p;
}

describe("pull-request review", () => {
  it("puts one inline comment on the patch line of a PR adding `import requests` before `monkey.patch_all()`", async () => {
    const scope = api();
    token(scope);
    graphqlConfig(scope);
    const check = checks(scope);
    files(scope, [{ filename: "app/main.py", status: "added", patch: addedPatch(LATE_PATCH_SRC) }]);
    graphqlContents(scope, { [`${HEAD}:app/main.py`]: LATE_PATCH_SRC });
    let review: Payload = {};
    scope
      .post(`${PULL}/reviews`, (b: Payload) => {
        review = b;
        return true;
      })
      .reply(200, { id: 1 });
    scope
      .patch(`/repos/${OWNER}/${REPO}/check-runs/77`, (b: Payload) => {
        check.updates.push(b);
        return true;
      })
      .reply(200, {});
    await send("pull_request", opened());
    expect(review.event).toBe("COMMENT");
    expect(review.commit_id).toBe(HEAD);
    expect(review.comments).toHaveLength(1);
    expect(review.comments[0]).toMatchObject({ path: "app/main.py", line: 3, side: "RIGHT" });
    expect(review.comments[0].body).toContain("gevent-patch-late-ssl");
    expect(check.create).toMatchObject({ name: "async-doctor", head_sha: HEAD, status: "in_progress" });
    expect(check.updates).toHaveLength(1);
    expect(check.updates[0]).toMatchObject({ status: "completed", conclusion: "neutral" });
    expect(check.updates[0]?.output.annotations).toHaveLength(1);
    expect(calls.filter((c) => !c.includes("access_tokens"))).toEqual([
      "POST /graphql",
      `POST /repos/${OWNER}/${REPO}/check-runs`,
      `GET ${PULL}/files`,
      "POST /graphql",
      `POST ${PULL}/reviews`,
      `PATCH /repos/${OWNER}/${REPO}/check-runs/77`,
    ]);
  });

  it("a clean PR gets no comment, and a success check", async () => {
    const scope = api();
    token(scope);
    graphqlConfig(scope);
    const check = checks(scope);
    const src = "from gevent import monkey\nmonkey.patch_all()\nimport requests\n";
    files(scope, [{ filename: "ok.py", status: "added", patch: addedPatch(src) }]);
    graphqlContents(scope, { [`${HEAD}:ok.py`]: src });
    scope
      .patch(`/repos/${OWNER}/${REPO}/check-runs/77`, (b: Payload) => {
        check.updates.push(b);
        return true;
      })
      .reply(200, {});
    await send("pull_request", opened());
    expect(calls.some((c) => c.includes("/reviews") || c.includes("/comments"))).toBe(false);
    expect(check.updates[0]).toMatchObject({ conclusion: "success" });
  });

  it("a 300-file PR with 5 relevant Python files costs at most 8 API calls", async () => {
    const scope = api();
    token(scope);
    graphqlConfig(scope);
    checks(scope);
    const list: File[] = [];
    for (let i = 0; i < 300; i++) {
      const relevant = i % 60 === 0;
      list.push({
        filename: relevant ? `svc/worker${i}.py` : i % 2 ? `docs/page${i}.md` : `lib/util${i}.py`,
        status: "modified",
        patch: relevant
          ? `@@ -1,2 +1,3 @@\n+import requests\n from gevent import monkey\n monkey.patch_all()`
          : `@@ -1 +1 @@\n-x = 1\n+x = 2`,
      });
    }
    const link = (n: number) =>
      `<${API}${PULL}/files?per_page=100&page=${n}>; rel="next", <${API}${PULL}/files?per_page=100&page=3>; rel="last"`;
    scope
      .get(`${PULL}/files`)
      .query({ per_page: "100" })
      .reply(200, list.slice(0, 100), { link: link(2) });
    scope
      .get(`${PULL}/files`)
      .query({ per_page: "100", page: "2" })
      .reply(200, list.slice(100, 200), { link: link(3) });
    scope.get(`${PULL}/files`).query({ per_page: "100", page: "3" }).reply(200, list.slice(200));
    const blobs: Record<string, string> = {};
    for (const f of list.filter((x) => x.filename.startsWith("svc/"))) {
      blobs[`${HEAD}:${f.filename}`] = "import requests\nfrom gevent import monkey\nmonkey.patch_all()\n";
      blobs[`${BASE}:${f.filename}`] = "from gevent import monkey\nmonkey.patch_all()\n";
    }
    const seen: { vars?: Record<string, string> } = {};
    graphqlContents(scope, blobs, seen);
    let review: Payload = {};
    scope
      .post(`${PULL}/reviews`, (b: Payload) => {
        review = b;
        return true;
      })
      .reply(200, {});
    scope.patch(`/repos/${OWNER}/${REPO}/check-runs/77`).reply(200, {});
    await send("pull_request", opened());
    const apiCalls = calls.filter((c) => !c.includes("access_tokens"));
    expect(apiCalls.length).toBeLessThanOrEqual(8);
    // Only the 5 relevant files were fetched (head and base), in one request.
    expect(Object.keys(seen.vars ?? {}).filter((k) => k.startsWith("h"))).toHaveLength(5);
    expect(review.comments).toHaveLength(5);
  });

  it("falls back to the review body when GitHub rejects an anchor (422), losing nothing", async () => {
    const scope = api();
    token(scope);
    graphqlConfig(scope);
    checks(scope);
    files(scope, [{ filename: "app/main.py", status: "added", patch: addedPatch(LATE_PATCH_SRC) }]);
    graphqlContents(scope, { [`${HEAD}:app/main.py`]: LATE_PATCH_SRC });
    scope
      .post(`${PULL}/reviews`, (b: Payload) => b.comments?.length === 1)
      .reply(422, { message: "Unprocessable Entity", errors: ["Line could not be resolved"] });
    let second: Payload = {};
    scope
      .post(`${PULL}/reviews`, (b: Payload) => {
        second = b;
        return true;
      })
      .reply(200, {});
    scope.patch(`/repos/${OWNER}/${REPO}/check-runs/77`).reply(200, {});
    await send("pull_request", opened());
    expect(second.comments).toBeUndefined();
    expect(second.body).toContain("app/main.py:3");
    expect(second.body).toContain("gevent-patch-late-ssl");
  });

  it("places findings outside the hunks as file-level comments", async () => {
    const src =
      "import requests\nfrom gevent import monkey\nmonkey.patch_all()\n\n\n\n\ndef tick():\n    gevent.sleep(1)\n";
    const scope = api();
    token(scope);
    graphqlConfig(scope, "pull_requests:\n  report: changed-files\n");
    checks(scope);
    files(scope, [
      {
        filename: "m.py",
        status: "modified",
        patch: "@@ -9 +9 @@\n-    gevent.sleep(0)\n+    gevent.sleep(1)",
      },
    ]);
    graphqlContents(scope, { [`${HEAD}:m.py`]: src, [`${BASE}:m.py`]: src.replace("sleep(1)", "sleep(0)") });
    let fileComment: Payload = {};
    scope
      .post(`${PULL}/comments`, (b: Payload) => {
        fileComment = b;
        return true;
      })
      .reply(201, {});
    scope.patch(`/repos/${OWNER}/${REPO}/check-runs/77`).reply(200, {});
    await send("pull_request", opened());
    expect(fileComment).toMatchObject({ path: "m.py", subject_type: "file", commit_id: HEAD });
    expect(fileComment.body).toContain("Line 3:");
    expect(calls.some((c) => c.endsWith("/reviews"))).toBe(false);
  });

  it("reports only what the PR introduces by default", async () => {
    const old = "import requests\nfrom gevent import monkey\nmonkey.patch_all()\n";
    const scope = api();
    token(scope);
    graphqlConfig(scope);
    const check = checks(scope);
    files(scope, [
      { filename: "m.py", status: "modified", patch: "@@ -3,1 +3,2 @@\n monkey.patch_all()\n+print('hi')" },
    ]);
    graphqlContents(scope, { [`${HEAD}:m.py`]: `${old}print('hi')\n`, [`${BASE}:m.py`]: old });
    scope
      .patch(`/repos/${OWNER}/${REPO}/check-runs/77`, (b: Payload) => {
        check.updates.push(b);
        return true;
      })
      .reply(200, {});
    await send("pull_request", opened());
    expect(check.updates[0]).toMatchObject({ conclusion: "success" });
  });
});

describe("annotation batching", () => {
  it("120 findings: 50 + 50 while in progress, 20 with the conclusion", async () => {
    const scope = api();
    token(scope);
    graphqlConfig(scope, "pull_requests:\n  max_comments: 0\n");
    const check = checks(scope);
    const list: File[] = [];
    const blobs: Record<string, string> = {};
    for (let i = 0; i < 120; i++) {
      list.push({ filename: `w${i}.py`, status: "added", patch: addedPatch(LATE_PATCH_SRC) });
      blobs[`${HEAD}:w${i}.py`] = LATE_PATCH_SRC;
    }
    const link = (n: number) =>
      `<${API}${PULL}/files?per_page=100&page=${n}>; rel="next", <${API}${PULL}/files?per_page=100&page=2>; rel="last"`;
    scope
      .get(`${PULL}/files`)
      .query({ per_page: "100" })
      .reply(200, list.slice(0, 100), { link: link(2) });
    scope.get(`${PULL}/files`).query({ per_page: "100", page: "2" }).reply(200, list.slice(100));
    graphqlContents(scope, blobs);
    let review: Payload = {};
    scope
      .post(`${PULL}/reviews`, (b: Payload) => {
        review = b;
        return true;
      })
      .reply(200, {});
    scope
      .patch(`/repos/${OWNER}/${REPO}/check-runs/77`, (b: Payload) => {
        check.updates.push(b);
        return true;
      })
      .times(3)
      .reply(200, {});
    await send("pull_request", opened());
    expect(check.updates.map((u) => u.output.annotations.length)).toEqual([50, 50, 20]);
    expect(check.updates.map((u) => u.status ?? "in_progress")).toEqual([
      "in_progress",
      "in_progress",
      "completed",
    ]);
    expect(review.comments).toEqual([]);
    expect(review.body).toContain("120 more findings");
  });
});
