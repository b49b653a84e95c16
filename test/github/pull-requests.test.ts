import { describe, expect, it } from "vitest";
import {
  api,
  calls,
  deliveryId,
  fixture,
  graphqlConfig,
  OWNER,
  REPO,
  resetNock,
  token,
  useProbot,
} from "./harness.js";
import {
  addedPatch,
  BASE,
  captureReview,
  checks,
  completions,
  type File,
  files,
  graphqlContents,
  HEAD,
  LATE_PATCH_SRC,
  opened,
  type Payload,
  PULL,
} from "./pr-helpers.js";

const app = useProbot();
const send = app.send;

describe("pull-request review", () => {
  it("reviews with a config glob that has wildcards inside braces (it used to end as `could not finish`)", async () => {
    const scope = api();
    token(scope);
    graphqlConfig(
      scope,
      "pull_requests:\n  include: ['{**/*.py,**/*.pyi}']\n  exclude: ['{vendor,third_party}/**']\n",
    );
    const check = checks(scope);
    files(scope, [
      { filename: "app/main.py", status: "added", patch: addedPatch(LATE_PATCH_SRC) },
      { filename: "vendor/lib.py", status: "added", patch: addedPatch(LATE_PATCH_SRC) },
    ]);
    graphqlContents(scope, { [`${HEAD}:app/main.py`]: LATE_PATCH_SRC });
    const review = captureReview(scope);
    completions(scope, check);
    await send("pull_request", opened());
    expect(review.body.comments).toHaveLength(1);
    expect(review.body.comments[0]).toMatchObject({ path: "app/main.py", line: 3 });
    expect(check.updates[0]).toMatchObject({ status: "completed", conclusion: "neutral" });
  });

  it("puts one inline comment on the patch line of a PR adding `import requests` before `monkey.patch_all()`", async () => {
    const scope = api();
    token(scope);
    graphqlConfig(scope);
    const check = checks(scope);
    files(scope, [{ filename: "app/main.py", status: "added", patch: addedPatch(LATE_PATCH_SRC) }]);
    graphqlContents(scope, { [`${HEAD}:app/main.py`]: LATE_PATCH_SRC });
    const review = captureReview(scope);
    completions(scope, check);
    await send("pull_request", opened());
    expect(review.body.event).toBe("COMMENT");
    expect(review.body.commit_id).toBe(HEAD);
    expect(review.body.comments).toHaveLength(1);
    expect(review.body.comments[0]).toMatchObject({ path: "app/main.py", line: 3, side: "RIGHT" });
    expect(review.body.comments[0].body).toContain("gevent-patch-late-ssl");
    expect(check.create).toMatchObject({ name: "async-doctor", head_sha: HEAD, status: "in_progress" });
    expect(check.updates).toHaveLength(1);
    expect(check.updates[0]).toMatchObject({ status: "completed", conclusion: "neutral" });
    expect(check.updates[0]?.output.annotations).toHaveLength(1);
    expect(calls.filter((c) => !c.includes("access_tokens"))).toEqual([
      "POST /graphql",
      `POST /repos/${OWNER}/${REPO}/check-runs`,
      `GET ${PULL}/files`,
      `GET /repos/${OWNER}/${REPO}/git/trees/${HEAD}`,
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
    completions(scope, check);
    await send("pull_request", opened());
    expect(calls.some((c) => c.includes("/reviews") || c.includes("/comments"))).toBe(false);
    expect(check.updates[0]).toMatchObject({ conclusion: "success" });
  });

  it("a 300-file PR with 5 relevant Python files costs at most 9 API calls, manifests and run configs included", async () => {
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
    files(scope, list, { "requirements.txt": 40, "deploy/gunicorn.conf.py": 30, "uv.lock": 9_000_000 });
    const blobs: Record<string, string> = {
      [`${HEAD}:requirements.txt`]: "gevent==24.2.1\nrequests==2.32.3\n",
      [`${BASE}:requirements.txt`]: "gevent==24.2.1\nrequests==2.32.3\n",
      [`${HEAD}:deploy/gunicorn.conf.py`]: 'worker_class = "gevent"\n',
      [`${BASE}:deploy/gunicorn.conf.py`]: 'worker_class = "gevent"\n',
    };
    for (const f of list.filter((x) => x.filename.startsWith("svc/"))) {
      blobs[`${HEAD}:${f.filename}`] = "import requests\nfrom gevent import monkey\nmonkey.patch_all()\n";
      blobs[`${BASE}:${f.filename}`] = "from gevent import monkey\nmonkey.patch_all()\n";
    }
    const seen: { vars?: Record<string, string> } = {};
    graphqlContents(scope, blobs, seen);
    const review = captureReview(scope);
    completions(scope);
    await send("pull_request", opened());
    const apiCalls = calls.filter((c) => !c.includes("access_tokens"));
    expect(apiCalls.length).toBeLessThanOrEqual(9);
    // Only the 5 relevant files were fetched (head and base), with the project files, in one request;
    // the oversized lock file was left out.
    const exprs = Object.values(seen.vars ?? {});
    expect(Object.keys(seen.vars ?? {}).filter((k) => k.startsWith("h"))).toHaveLength(5);
    expect(exprs).toContain(`${HEAD}:deploy/gunicorn.conf.py`);
    expect(exprs).toContain(`${BASE}:requirements.txt`);
    expect(exprs.some((e) => e.endsWith(":uv.lock"))).toBe(false);
    expect(review.body.comments).toHaveLength(5);
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
    completions(scope);
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
    completions(scope);
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
    completions(scope, check);
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
    files(scope, list);
    graphqlContents(scope, blobs, undefined, 3); // 120 files: 50 per GraphQL request
    const review = captureReview(scope);
    completions(scope, check, 3);
    await send("pull_request", opened());
    expect(check.updates.map((u) => u.output.annotations.length)).toEqual([50, 50, 20]);
    expect(check.updates.map((u) => u.status ?? "in_progress")).toEqual([
      "in_progress",
      "in_progress",
      "completed",
    ]);
    expect(review.body.comments).toEqual([]);
    expect(review.body.body).toContain("120 more findings");
  });
});

function synchronize(patch: (p: Payload) => void = () => {}): Payload {
  const p = fixture<Payload>("pull_request.synchronize");
  patch(p);
  return p;
}

/** Mocks for a push on a PR whose one file is `src`; returns the captured review and check updates. */
function pushMocks(
  src: string,
  existing: { comments: Payload[]; reviews: Payload[] },
  opts: { sha?: string; config?: string | null } = {},
) {
  const sha = opts.sha ?? "2222222222222222222222222222222222222222";
  const scope = api(); // the installation token is cached from the first push
  graphqlConfig(scope, opts.config ?? null);
  const check = checks(scope);
  files(scope, [{ filename: "app/main.py", status: "added", patch: addedPatch(src) }]);
  graphqlContents(scope, { [`${sha}:app/main.py`]: src });
  scope.get(`${PULL}/comments`).query(true).reply(200, existing.comments);
  scope.get(`${PULL}/reviews`).query(true).reply(200, existing.reviews);
  completions(scope, check);
  return { scope, check };
}

/** Run the first push and return the inline comment body the App posted. */
async function firstPush(): Promise<string> {
  const scope = api();
  token(scope);
  graphqlConfig(scope);
  checks(scope);
  files(scope, [{ filename: "app/main.py", status: "added", patch: addedPatch(LATE_PATCH_SRC) }]);
  graphqlContents(scope, { [`${HEAD}:app/main.py`]: LATE_PATCH_SRC });
  let body = "";
  scope
    .post(`${PULL}/reviews`, (b: Payload) => {
      body = b.comments[0].body;
      return true;
    })
    .reply(200, {});
  completions(scope);
  await send("pull_request", opened());
  resetNock();
  return body;
}

const bot = { login: "async-doctor[bot]", type: "Bot" };
const human = { login: "maintainer", type: "User" };

describe("across pushes", () => {
  it("never posts the same finding twice (the line moved on the second push)", async () => {
    const posted = await firstPush();
    const moved = `import os\n${LATE_PATCH_SRC}`;
    pushMocks(moved, {
      comments: [{ id: 501, body: posted, user: bot, path: "app/main.py", line: 3 }],
      reviews: [],
    });
    await send("pull_request", synchronize());
    expect(calls.some((c) => c.endsWith("/reviews") && c.startsWith("POST"))).toBe(false);
    expect(calls.some((c) => c.startsWith("DELETE"))).toBe(false);
  });

  it("a second delivery of the same push adds nothing", async () => {
    await firstPush();
    const id = deliveryId();
    const s1 = pushMocks(LATE_PATCH_SRC, { comments: [], reviews: [] });
    s1.scope.post(`${PULL}/reviews`).reply(200, {});
    await send("pull_request", synchronize(), id);
    const before = calls.length;
    await send("pull_request", synchronize(), id);
    expect(calls.length).toBe(before);
  });

  it("deletes its comment when the finding is fixed and nobody replied", async () => {
    const posted = await firstPush();
    const fixed = "from gevent import monkey\nmonkey.patch_all()\nimport requests\n";
    const { scope, check } = pushMocks(fixed, {
      comments: [{ id: 601, body: posted, user: bot }],
      reviews: [],
    });
    scope.delete(`/repos/${OWNER}/${REPO}/pulls/comments/601`).reply(204);
    await send("pull_request", synchronize());
    expect(check.updates[0]).toMatchObject({ conclusion: "success" });
  });

  it("never touches a thread with a human reply", async () => {
    const posted = await firstPush();
    const fixed = "from gevent import monkey\nmonkey.patch_all()\nimport requests\n";
    pushMocks(fixed, {
      comments: [
        { id: 701, body: posted, user: bot },
        { id: 702, body: "Good catch, fixed.", user: human, in_reply_to_id: 701 },
      ],
      reviews: [],
    });
    await send("pull_request", synchronize());
    expect(calls.some((c) => c.startsWith("DELETE") || c.startsWith("PATCH /repos/acme/widgets/pulls"))).toBe(
      false,
    );
  });

  it("does not repeat findings it listed in an earlier review body", async () => {
    await firstPush();
    const { fingerprint } = await (async () => {
      const { createEngine } = await import("../../src/diagnosis/engine.js");
      const e = await createEngine();
      return e.scanSource("app/main.py", LATE_PATCH_SRC).findings[0] ?? { fingerprint: "" };
    })();
    pushMocks(LATE_PATCH_SRC, {
      comments: [],
      reviews: [
        {
          id: 9,
          user: bot,
          body: `overflow <!-- async-doctor:finding fp=${fingerprint} rule=gevent-patch-late-ssl -->`,
        },
      ],
    });
    await send("pull_request", synchronize());
    expect(calls.some((c) => c.endsWith("/reviews") && c.startsWith("POST"))).toBe(false);
  });

  it("ignores a synchronize whose head did not change", async () => {
    await send(
      "pull_request",
      synchronize((p) => (p.after = p.before)),
    );
    expect(calls).toEqual([]);
  });
});

describe("who and what gets reviewed", () => {
  it("skips drafts and bot-authored PRs by default, and closed PRs always", async () => {
    const scope = api();
    token(scope);
    graphqlConfig(scope);
    graphqlConfig(scope);
    await send(
      "pull_request",
      opened((p) => (p.pull_request.draft = true)),
    );
    await send(
      "pull_request",
      opened((p) => (p.pull_request.user = { login: "dependabot[bot]", type: "Bot" })),
    );
    await send(
      "pull_request",
      opened((p) => (p.pull_request.state = "closed")),
    );
    expect(calls.filter((c) => !c.includes("access_tokens"))).toEqual(["POST /graphql", "POST /graphql"]);
  });

  it("reviews drafts when configured", async () => {
    const scope = api();
    token(scope);
    graphqlConfig(scope, "pull_requests:\n  skip_drafts: false\n  check_run: false\n");
    files(scope, [{ filename: "app/main.py", status: "added", patch: addedPatch(LATE_PATCH_SRC) }]);
    graphqlContents(scope, { [`${HEAD}:app/main.py`]: LATE_PATCH_SRC });
    scope.post(`${PULL}/reviews`).reply(200, {});
    await send(
      "pull_request",
      opened((p) => (p.pull_request.draft = true)),
    );
    expect(calls.some((c) => c.includes("check-runs"))).toBe(false);
  });

  it("works for a PR from a fork: contents are read from the base repository at the head commit", async () => {
    const scope = api();
    token(scope);
    graphqlConfig(scope);
    checks(scope);
    files(scope, [{ filename: "app/main.py", status: "added", patch: addedPatch(LATE_PATCH_SRC) }]);
    const seen: { vars?: Record<string, string> } = {};
    graphqlContents(scope, { [`${HEAD}:app/main.py`]: LATE_PATCH_SRC }, seen);
    scope.post(`${PULL}/reviews`).reply(200, {});
    completions(scope);
    await send(
      "pull_request",
      opened((p) => {
        p.pull_request.head.repo = {
          ...p.pull_request.head.repo,
          full_name: "contributor/widgets",
          name: "widgets",
          owner: { login: "contributor", type: "User" },
          fork: true,
        };
        p.pull_request.head.label = "contributor:speedup";
      }),
    );
    expect(seen.vars).toMatchObject({ owner: OWNER, repo: REPO, h0: `${HEAD}:app/main.py` });
  });

  it("follows _extends to the organisation's .github repository with one more request", async () => {
    const scope = api();
    token(scope);
    graphqlConfig(scope, "_extends: .github\n");
    let extended: { owner?: string; repo?: string; expr?: string } = {};
    scope
      .post("/graphql", (b: { query: string; variables: typeof extended }) => {
        extended = b.variables;
        return !b.query.includes("org: repository");
      })
      .reply(200, { data: { repo: { object: { text: "enabled: false\n" } } } });
    await send("pull_request", opened());
    expect(extended).toEqual({ owner: OWNER, repo: ".github", expr: "HEAD:.github/async-doctor.yml" });
    expect(calls).toEqual(["POST /app/installations/4242/access_tokens", "POST /graphql", "POST /graphql"]);
  });

  it("reads the configuration from the default branch, never from the PR head", async () => {
    const scope = api();
    token(scope);
    let expr = "";
    scope
      .post("/graphql", (b: { query: string; variables: { expr: string } }) => {
        expr = b.variables.expr ?? "";
        return b.query.includes("org: repository");
      })
      .reply(200, { data: { repo: { object: { text: "enabled: false\n" } }, org: null } });
    await send("pull_request", opened());
    expect(expr).toBe("HEAD:.github/async-doctor.yml"); // HEAD of the repository: its default branch
  });

  it("validates a changed .github/async-doctor.yml and annotates its errors", async () => {
    const bad = "issues:\n  mode: loud\npull_requests:\n  fail_on: sometimes\n";
    const scope = api();
    token(scope);
    graphqlConfig(scope);
    const check = checks(scope);
    files(scope, [{ filename: ".github/async-doctor.yml", status: "added", patch: addedPatch(bad) }]);
    graphqlContents(scope, { [`${HEAD}:.github/async-doctor.yml`]: bad });
    completions(scope, check);
    await send("pull_request", opened());
    const done = check.updates[0];
    expect(done).toMatchObject({ conclusion: "failure" });
    expect(done?.output.annotations.map((a: Payload) => [a.path, a.start_line, a.annotation_level])).toEqual([
      [".github/async-doctor.yml", 2, "failure"],
      [".github/async-doctor.yml", 4, "failure"],
    ]);
  });

  it("lists every page of a 250-file pull request", async () => {
    const scope = api();
    token(scope);
    graphqlConfig(scope);
    checks(scope);
    const list: File[] = Array.from({ length: 250 }, (_, i) => ({
      filename: `pkg/m${i}.py`,
      status: "modified",
      patch: "@@ -1 +1 @@\n-a = 1\n+a = 2",
    }));
    list[249] = { filename: "pkg/last.py", status: "added", patch: addedPatch(LATE_PATCH_SRC) };
    files(scope, list);
    graphqlContents(scope, { [`${HEAD}:pkg/last.py`]: LATE_PATCH_SRC });
    const review = captureReview(scope);
    completions(scope);
    await send("pull_request", opened());
    expect(review.body.comments.map((c: Payload) => c.path)).toEqual(["pkg/last.py"]);
  });

  it("offers the exact use_pure fix as a suggestion", async () => {
    const src =
      "from gevent import monkey\nmonkey.patch_all()\nimport mysql.connector\n\ncnx = mysql.connector.connect(user='app')\n";
    const scope = api();
    token(scope);
    graphqlConfig(scope);
    checks(scope);
    files(scope, [{ filename: "db.py", status: "added", patch: addedPatch(src) }]);
    graphqlContents(scope, { [`${HEAD}:db.py`]: src });
    const review = captureReview(scope);
    completions(scope);
    await send("pull_request", opened());
    expect(review.body.comments[0]).toMatchObject({ path: "db.py", line: 5 });
    expect(review.body.comments[0].body).toContain(
      "```suggestion\ncnx = mysql.connector.connect(user='app', use_pure=True)\n```",
    );
  });
});

describe("missing permissions", () => {
  it("without checks permission: reviews anyway and logs the missing permission", async () => {
    const scope = api();
    token(scope);
    graphqlConfig(scope);
    scope
      .post(`/repos/${OWNER}/${REPO}/check-runs`)
      .reply(403, { message: "Resource not accessible by integration" });
    files(scope, [{ filename: "app/main.py", status: "added", patch: addedPatch(LATE_PATCH_SRC) }]);
    graphqlContents(scope, { [`${HEAD}:app/main.py`]: LATE_PATCH_SRC });
    scope.post(`${PULL}/reviews`).reply(200, {});
    await send("pull_request", opened());
    expect(app.current().logs.some((l) => String(l.msg).includes("missing permission `checks: write`"))).toBe(
      true,
    );
  });

  it("without pull-request write permission: completes the check and logs the missing permission", async () => {
    const scope = api();
    token(scope);
    graphqlConfig(scope);
    const check = checks(scope);
    files(scope, [{ filename: "app/main.py", status: "added", patch: addedPatch(LATE_PATCH_SRC) }]);
    graphqlContents(scope, { [`${HEAD}:app/main.py`]: LATE_PATCH_SRC });
    scope.post(`${PULL}/reviews`).reply(403, { message: "Resource not accessible by integration" });
    completions(scope, check);
    await send("pull_request", opened());
    expect(check.updates[0]?.output.annotations).toHaveLength(1);
    expect(
      app.current().logs.some((l) => String(l.msg).includes("missing permission `pull_requests: write`")),
    ).toBe(true);
  });
});

describe("Re-run", () => {
  it.each([
    ["check_run", "Re-run"],
    ["check_suite", "Re-run all checks"],
  ] as const)(
    "%s.rerequested (%s) analyses the PR at its head again without duplicating comments",
    async (event, _button) => {
      const posted = await firstPush();
      const { check } = pushMocks(
        LATE_PATCH_SRC,
        { comments: [{ id: 801, body: posted, user: bot }], reviews: [] },
        { sha: HEAD },
      );
      await send(event, fixture<Payload>(`${event}.rerequested`));
      expect(check.create).toMatchObject({ head_sha: HEAD });
      expect(check.updates[0]).toMatchObject({ conclusion: "neutral" });
      expect(calls.some((c) => c.endsWith("/reviews") && c.startsWith("POST"))).toBe(false);
    },
  );

  it.each(["check_run", "check_suite"] as const)(
    "%s.rerequested leaves a pull request whose head moved on alone",
    async (event) => {
      const p = fixture<Payload>(`${event}.rerequested`);
      p[event].pull_requests[0].head.sha = "2".repeat(40);
      await send(event, p);
      expect(calls).toEqual([]);
    },
  );

  it("ignores re-run requests for other apps' checks", async () => {
    const p = fixture<Payload>("check_run.rerequested");
    p.check_run.name = "lint";
    await send("check_run", p);
    expect(calls).toEqual([]);
  });
});

describe("files GitHub cannot show", () => {
  it("a file without a patch is read and commented at file level; an unreadable one is listed as skipped", async () => {
    const scope = api();
    token(scope);
    graphqlConfig(scope);
    const check = checks(scope);
    files(scope, [
      { filename: "huge.py", status: "modified" },
      { filename: "blob.py", status: "added" },
    ]);
    graphqlContents(scope, { [`${HEAD}:huge.py`]: LATE_PATCH_SRC, [`${BASE}:huge.py`]: "x = 1\n" });
    let fileComment: Payload = {};
    scope
      .post(`${PULL}/comments`, (b: Payload) => {
        fileComment = b;
        return true;
      })
      .reply(201, {});
    completions(scope, check);
    await send("pull_request", opened());
    expect(fileComment).toMatchObject({ path: "huge.py", subject_type: "file" });
    const text = check.updates[0]?.output.text as string;
    expect(text).toContain("`blob.py`: not found at the head commit");
    expect(text).toContain("`huge.py` has no diff");
  });
});

describe("failures", () => {
  it("closes the check when the analysis fails, and lets a redelivery try again", async () => {
    const scope = api();
    token(scope);
    graphqlConfig(scope);
    const check = checks(scope);
    scope.get(`${PULL}/files`).query(true).reply(500, { message: "boom" });
    completions(scope, check);
    const id = deliveryId();
    await expect(send("pull_request", opened(), id)).rejects.toThrow();
    expect(check.updates[0]).toMatchObject({ status: "completed", conclusion: "neutral" });

    // The same delivery, redelivered by hand, is handled this time.
    const s2 = api();
    graphqlConfig(s2);
    checks(s2);
    files(s2, []);
    completions(s2);
    await send("pull_request", opened(), id);
  });
});
