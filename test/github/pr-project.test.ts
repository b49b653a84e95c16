/**
 * Pull-request review with the project context: manifests and run configs at the head and base
 * (listed from the head tree, read in the batched content request) decide what a PR introduces.
 */
import { describe, expect, it } from "vitest";
import { api, calls, graphqlConfig, token, useProbot } from "./harness.js";
import {
  addedPatch,
  BASE,
  captureReview,
  checks,
  completions,
  files,
  graphqlContents,
  HEAD,
  opened,
} from "./pr-helpers.js";

const app = useProbot();
const send = app.send;

const GUNICORN = 'worker_class = "gevent"\n';

/** A modified file's patch: `from` replaced by `to` at line `at`. */
function replacePatch(at: number, from: string, to: string): string {
  return `@@ -${at},1 +${at},1 @@\n-${from}\n+${to}`;
}

describe("pull requests and the project's dependencies", () => {
  it("a PR that adds trio next to httpcore in a gevent-run project is told on the trio line, with no httpcore pin as the fix", async () => {
    const scope = api();
    token(scope);
    graphqlConfig(scope);
    const check = checks(scope);
    const before = "gevent==24.2.1\nhttpcore==1.0.9\nhttpx==0.28.1\n";
    const after = `${before}trio==0.25.1\n`;
    files(
      scope,
      [{ filename: "requirements.txt", status: "modified", patch: "@@ -3,0 +4,1 @@\n+trio==0.25.1" }],
      { "gunicorn.conf.py": GUNICORN.length, "app.py": 20 },
    );
    graphqlContents(scope, {
      [`${HEAD}:requirements.txt`]: after,
      [`${BASE}:requirements.txt`]: before,
      [`${HEAD}:gunicorn.conf.py`]: GUNICORN,
      [`${BASE}:gunicorn.conf.py`]: GUNICORN,
    });
    const review = captureReview(scope);
    completions(scope, check);
    await send("pull_request", opened());
    expect(review.body.comments).toHaveLength(1);
    const c = review.body.comments[0];
    expect(c).toMatchObject({ path: "requirements.txt", line: 4 });
    expect(c.body).toContain("gevent-trio-same-process");
    expect(c.body).toContain("`requirements.txt` pins httpcore `1.0.9`");
    expect(c.body).toContain("gunicorn's gevent worker (`gunicorn.conf.py` line 1)");
    expect(c.body).toContain("upgrading httpcore does not help");
    // Lab case httpcore-1.0.9-macos: no httpcore release fixes it, so no edit is suggested.
    expect(c.body).not.toContain("```suggestion");
    expect(check.updates.at(-1)?.output.annotations[0]).toMatchObject({
      path: "requirements.txt",
      start_line: 4,
    });
    expect(calls.filter((x) => !x.includes("access_tokens")).length).toBeLessThanOrEqual(9);
  });

  it("a PR that only bumps httpcore in a project that already carries the risk adds nothing (no release fixes it)", async () => {
    const scope = api();
    token(scope);
    graphqlConfig(scope);
    const check = checks(scope);
    const before = "gevent==24.2.1\nhttpx==0.27.2\nhttpcore==1.0.7\ntrio==0.26.2\n";
    const after = before.replace("httpcore==1.0.7", "httpcore==1.0.9");
    files(
      scope,
      [
        {
          filename: "requirements.txt",
          status: "modified",
          patch: replacePatch(3, "httpcore==1.0.7", "httpcore==1.0.9"),
        },
      ],
      {
        "gunicorn.conf.py": GUNICORN.length,
      },
    );
    graphqlContents(scope, {
      [`${HEAD}:requirements.txt`]: after,
      [`${BASE}:requirements.txt`]: before,
      [`${HEAD}:gunicorn.conf.py`]: GUNICORN,
      [`${BASE}:gunicorn.conf.py`]: GUNICORN,
    });
    completions(scope, check);
    await send("pull_request", opened());
    expect(calls.some((x) => x.includes("/reviews"))).toBe(false);
    expect(check.updates.at(-1)).toMatchObject({ conclusion: "success" });
  });

  describe("in a monorepo: a/ runs under gunicorn's gevent worker, b/ pins an old grpcio and runs unpatched", () => {
    // Before each folder with a manifest was a project of its own, b's grpc client was gevent-grpc.
    const after = "import grpc\n\nchannel = grpc.insecure_channel('svc:50051')\n";
    /** `conf`: a/gunicorn.conf.py; `found`: what a code search for `init_gevent` answers. */
    function mocks(path: string, conf = GUNICORN, found: string[] = []) {
      const scope = api();
      token(scope);
      graphqlConfig(scope);
      const check = checks(scope);
      // The finding rests on a run: is `init_gevent()` called in code the PR does not touch?
      scope
        .get("/search/code")
        .query((q) => String(q.q).includes('"init_gevent" repo:acme/widgets'))
        .reply(200, { total_count: found.length, items: found.map((path) => ({ path })) });
      files(
        scope,
        [
          {
            filename: path,
            status: "modified",
            patch: "@@ -1,0 +2,1 @@\n+channel = grpc.insecure_channel('svc:50051')",
          },
        ],
        { "a/gunicorn.conf.py": GUNICORN.length, "a/requirements.txt": 20, "b/requirements.txt": 20 },
      );
      graphqlContents(
        scope,
        {
          [`${HEAD}:${path}`]: after,
          [`${HEAD}:a/gunicorn.conf.py`]: conf,
          [`${BASE}:a/gunicorn.conf.py`]: conf,
          [`${HEAD}:a/requirements.txt`]: "gevent==24.2.1\n",
          [`${BASE}:a/requirements.txt`]: "gevent==24.2.1\n",
          [`${HEAD}:b/requirements.txt`]: "grpcio==1.36.1\n",
          [`${BASE}:b/requirements.txt`]: "grpcio==1.36.1\n",
          [`${HEAD}:b/other.py`]:
            "import grpc.experimental.gevent as grpc_gevent\n\ngrpc_gevent.init_gevent()\n",
        },
        undefined,
        found.length > 0 ? 2 : 1,
      );
      return { scope, check };
    }

    it("b's new grpcio pin and its module say nothing: a's gevent worker does not run b", async () => {
      const scope = api();
      token(scope);
      graphqlConfig(scope);
      const check = checks(scope);
      files(
        scope,
        [
          { filename: "b/client.py", status: "added", patch: addedPatch(after) },
          { filename: "b/requirements.txt", status: "modified", patch: "@@ -1,0 +2,1 @@\n+grpcio==1.36.1" },
        ],
        { "a/gunicorn.conf.py": GUNICORN.length, "a/requirements.txt": 20 },
      );
      graphqlContents(scope, {
        [`${HEAD}:b/client.py`]: after,
        [`${HEAD}:a/gunicorn.conf.py`]: GUNICORN,
        [`${BASE}:a/gunicorn.conf.py`]: GUNICORN,
        [`${HEAD}:a/requirements.txt`]: "gevent==24.2.1\n",
        [`${BASE}:a/requirements.txt`]: "gevent==24.2.1\n",
        [`${HEAD}:b/requirements.txt`]: "protobuf==4.25.0\ngrpcio==1.36.1\n",
        [`${BASE}:b/requirements.txt`]: "protobuf==4.25.0\n",
      });
      completions(scope, check);
      await send("pull_request", opened());
      expect(calls.some((x) => x.includes("/reviews"))).toBe(false);
      expect(check.updates.at(-1)).toMatchObject({ conclusion: "success" });
    });

    it("the same change in a/, which the gevent worker runs, is reported", async () => {
      const { scope, check } = mocks("a/client.py");
      const posted: { path: string; body: string }[] = [];
      // An added file's finding on its first line goes out as a comment on the file.
      scope
        .post("/repos/acme/widgets/pulls/12/comments", (b: { path: string; body: string }) => {
          posted.push(b);
          return true;
        })
        .reply(201, { id: 5 });
      completions(scope, check);
      await send("pull_request", opened());
      expect(posted.map((c) => c.path)).toEqual(["a/client.py"]);
      expect(posted[0]?.body).toContain("gevent-grpc");
      expect(posted[0]?.body).toContain("`a/gunicorn.conf.py` line 1");
    });

    it("says nothing when a's post_fork hook, which the PR does not touch, calls init_gevent()", async () => {
      const conf = `${GUNICORN}\n\ndef post_fork(server, worker):\n    from grpc.experimental.gevent import init_gevent\n\n    init_gevent()\n`;
      const { scope, check } = mocks("a/client.py", conf, ["a/gunicorn.conf.py", "b/other.py"]);
      completions(scope, check);
      await send("pull_request", opened());
      expect(calls.some((x) => x.includes("/reviews") || x.includes("/comments"))).toBe(false);
      expect(check.updates.at(-1)).toMatchObject({ conclusion: "success" });
    });

    it("b calling init_gevent() does not settle a's process", async () => {
      const { scope, check } = mocks("a/client.py", GUNICORN, ["b/other.py"]);
      scope.post("/repos/acme/widgets/pulls/12/comments").reply(201, { id: 5 });
      completions(scope, check);
      await send("pull_request", opened());
      expect(calls.some((x) => x.includes("/pulls/12/comments"))).toBe(true);
    });
  });

  it("a code change that is risky only because of the pinned versions says so, and the unchanged pin is not repeated", async () => {
    const scope = api();
    token(scope);
    graphqlConfig(scope);
    checks(scope);
    const reqs = "gevent==24.2.1\nhttpx==0.27.0\nhttpcore==1.0.5\ntrio==0.25.1\n";
    const before = "from gevent import monkey\nmonkey.patch_all()\n\nimport jobs\n";
    const after = "from gevent import monkey\nmonkey.patch_all()\n\nimport jobs\nimport httpx\n";
    files(scope, [{ filename: "worker.py", status: "modified", patch: "@@ -4,0 +5,1 @@\n+import httpx" }], {
      "requirements.txt": reqs.length,
    });
    graphqlContents(scope, {
      [`${HEAD}:worker.py`]: after,
      [`${BASE}:worker.py`]: before,
      [`${HEAD}:requirements.txt`]: reqs,
      [`${BASE}:requirements.txt`]: reqs,
    });
    const review = captureReview(scope);
    completions(scope);
    await send("pull_request", opened());
    expect(review.body.comments).toHaveLength(1);
    const c = review.body.comments[0];
    expect(c).toMatchObject({ path: "worker.py", line: 5 });
    expect(c.body).toContain("`requirements.txt` pins httpcore `1.0.5` with trio `0.25.1`");
    expect(review.body.body ?? "").not.toContain("requirements.txt:3");
  });

  it("a PR that makes the project run patched reports the pinned httpcore in the review body", async () => {
    const scope = api();
    token(scope);
    graphqlConfig(scope);
    checks(scope);
    const reqs = "gunicorn==22.0.0\ngevent==24.2.1\nhttpcore==1.0.5\ntrio==0.25.1\n";
    files(scope, [{ filename: "gunicorn.conf.py", status: "added", patch: addedPatch(GUNICORN) }], {
      "requirements.txt": reqs.length,
    });
    graphqlContents(scope, {
      [`${HEAD}:gunicorn.conf.py`]: GUNICORN,
      [`${HEAD}:requirements.txt`]: reqs,
      [`${BASE}:requirements.txt`]: reqs,
    });
    const review = captureReview(scope);
    completions(scope);
    await send("pull_request", opened());
    expect(review.body.comments ?? []).toHaveLength(0);
    expect(review.body.body).toContain("requirements.txt");
    expect(review.body.body).toContain("gevent-trio-same-process");
  });

  describe("a PR that adds mysql-connector-python to a gevent project", () => {
    const before = "flask==3.0.3\ngevent==24.2.1\n";
    const after = `${before}mysql-connector-python==8.4.0\n`;
    const db =
      "import mysql.connector\n\n\ndef connect():\n    return mysql.connector.connect(host='db', user='shop')\n";
    /** The review's calls; `contentRequests`: 2 when the search finds files to read. */
    const setup = (search: (scope: ReturnType<typeof api>) => void, dbText = db, contentRequests = 2) => {
      const scope = api();
      token(scope);
      graphqlConfig(scope);
      const check = checks(scope);
      files(
        scope,
        [
          {
            filename: "requirements.txt",
            status: "modified",
            patch: "@@ -2,0 +3,1 @@\n+mysql-connector-python==8.4.0",
          },
        ],
        {
          "gunicorn.conf.py": GUNICORN.length,
          "app/db.py": dbText.length,
        },
      );
      search(scope);
      graphqlContents(
        scope,
        {
          [`${HEAD}:requirements.txt`]: after,
          [`${BASE}:requirements.txt`]: before,
          [`${HEAD}:gunicorn.conf.py`]: GUNICORN,
          [`${BASE}:gunicorn.conf.py`]: GUNICORN,
          [`${HEAD}:app/db.py`]: dbText,
        },
        undefined,
        contentRequests,
      );
      return { scope, check };
    };
    const found = (scope: ReturnType<typeof api>) =>
      scope
        .get("/search/code")
        .query((q) => String(q.q).includes('"mysql.connector" repo:acme/widgets'))
        .reply(200, { total_count: 2, items: [{ path: "app/db.py" }, { path: "tests/test_db.py" }] });

    it("finds the code that connects without use_pure and comments on the new requirement", async () => {
      const { scope, check } = setup(found);
      const review = captureReview(scope);
      completions(scope, check);
      await send("pull_request", opened());
      expect(review.body.comments).toHaveLength(1);
      const c = review.body.comments[0];
      expect(c).toMatchObject({ path: "requirements.txt", line: 3 });
      expect(c.body).toContain("mysql-cext-under-gevent");
      expect(c.body).toContain("`app/db.py` line 5 connects without `use_pure=True`");
      expect(c.body).toContain("gunicorn's gevent worker (`gunicorn.conf.py` line 1)");
    });

    it("says nothing when that code already passes use_pure=True", async () => {
      const pure = db.replace("user='shop')", "user='shop', use_pure=True)");
      const { scope, check } = setup(found, pure);
      completions(scope, check);
      await send("pull_request", opened());
      expect(calls.some((x) => x.includes("/reviews"))).toBe(false);
      expect(check.updates.at(-1)).toMatchObject({ conclusion: "success" });
    });

    it("goes on without the search when GitHub refuses it, and says so", async () => {
      const refused = (scope: ReturnType<typeof api>) =>
        scope.get("/search/code").query(true).reply(403, { message: "API rate limit exceeded" });
      const { scope, check } = setup(refused, db, 1);
      completions(scope, check);
      await send("pull_request", opened());
      expect(calls.some((x) => x.includes("/reviews"))).toBe(false);
      expect(check.updates.at(-1)?.output.text).toContain("code search did not answer");
    });
  });

  it("reads the shallowest project files within the bound and says the rest was left out", async () => {
    const scope = api();
    token(scope);
    graphqlConfig(scope);
    const check = checks(scope);
    const reqs = "gevent==24.2.1\nhttpcore==1.0.5\ntrio==0.25.1\n";
    const base = "gevent==24.2.1\nhttpcore==1.0.5\n";
    const deep: Record<string, number> = {
      "requirements.txt": reqs.length,
      "gunicorn.conf.py": GUNICORN.length,
    };
    for (let i = 0; i < 150; i++) deep[`services/s${i}/requirements.txt`] = 30;
    files(
      scope,
      [
        {
          filename: "requirements.txt",
          status: "modified",
          patch: "@@ -2,0 +3,1 @@\n+trio==0.25.1",
        },
      ],
      deep,
    );
    const seen: { vars?: Record<string, string> } = {};
    graphqlContents(
      scope,
      {
        [`${HEAD}:requirements.txt`]: reqs,
        [`${BASE}:requirements.txt`]: base,
        [`${HEAD}:gunicorn.conf.py`]: GUNICORN,
        [`${BASE}:gunicorn.conf.py`]: GUNICORN,
      },
      seen,
    );
    captureReview(scope);
    completions(scope, check);
    await send("pull_request", opened());
    const heads = Object.values(seen.vars ?? {}).filter((e) => e.startsWith(`${HEAD}:`));
    expect(heads).toHaveLength(100);
    expect(heads).toContain(`${HEAD}:gunicorn.conf.py`);
    expect(check.updates.at(-1)?.output.text).toContain("more manifests and run configs than are read");
  });
});
