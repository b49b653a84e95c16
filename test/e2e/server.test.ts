import { createHmac, randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { hunkOf, parsePatch } from "../../src/github/diff.js";
import { fixture, privateKey } from "../github/harness.js";
import { cleanDir, freePort, start, waitFor } from "./processes.js";

const _ROOT = new URL("../../", import.meta.url).pathname;
const SECRET = "e2e-webhook-secret";

interface Seen {
  method: string;
  url: string;
  body: string;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let b = "";
    req.on("data", (c) => {
      b += c;
    });
    req.on("end", () => resolve(b));
  });
}

const LATE = "import requests\nfrom gevent import monkey\nmonkey.patch_all()\n";
const CLEAN = "from gevent import monkey\nmonkey.patch_all()\nimport requests\n";
const added = (src: string) => {
  const lines = src.replace(/\n$/, "").split("\n");
  return `@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join("\n")}`;
};
const PR_FILES: Record<number, { filename: string; status: string; patch: string; content: string }[]> = {
  12: [{ filename: "app/late.py", status: "added", patch: added(LATE), content: LATE }],
  13: [{ filename: "app/clean.py", status: "added", patch: added(CLEAN), content: CLEAN }],
};

/** A local stand-in for the GitHub REST API (GitHub Enterprise layout: /api/v3). */
function fakeGitHub(seen: Seen[]): Promise<Server> {
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const url = req.url ?? "";
    seen.push({ method: req.method ?? "", url, body });
    const json = (status: number, data: unknown) => {
      res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
      res.end(JSON.stringify(data));
    };
    if (req.method === "POST" && /\/app\/installations\/\d+\/access_tokens$/.test(url))
      return json(201, { token: "ghs_e2e", expires_at: "2099-01-01T00:00:00Z", permissions: {} });
    if (url.includes("/contents/")) return json(404, { message: "Not Found" });
    if (req.method === "GET" && url === "/api/v3/app") return json(200, { id: 1, slug: "async-doctor" });
    const pr = /\/pulls\/(\d+)\//.exec(url);
    const prFiles = pr ? PR_FILES[Number(pr[1])] : undefined;
    if (req.method === "POST" && url === "/api/graphql") {
      const q = JSON.parse(body) as { query: string; variables: Record<string, string> };
      if (q.query.includes("org: repository"))
        return json(200, { data: { repo: { object: null }, org: null } });
      const repository: Record<string, unknown> = {};
      for (const [k, expr] of Object.entries(q.variables)) {
        if (k === "owner" || k === "repo") continue;
        const path = expr.slice(expr.indexOf(":") + 1);
        const file = Object.values(PR_FILES)
          .flat()
          .find((f) => f.filename === path);
        repository[k] =
          file && k.startsWith("h")
            ? { text: file.content, isBinary: false, byteSize: file.content.length }
            : null;
      }
      return json(200, { data: { repository } });
    }
    if (req.method === "GET" && url.includes("/git/trees/"))
      return json(200, {
        tree: Object.values(PR_FILES)
          .flat()
          .map((f) => ({ path: f.filename, type: "blob", size: f.content.length })),
        truncated: false,
      });
    if (req.method === "GET" && prFiles && url.includes("/files"))
      return json(
        200,
        prFiles.map(({ content: _c, ...f }) => f),
      );
    if (req.method === "POST" && prFiles && url.endsWith("/reviews")) {
      // Like GitHub: every anchor must be a line of a hunk of a file in the diff, or the whole review fails.
      const review = JSON.parse(body) as { comments?: { path: string; line: number }[] };
      for (const c of review.comments ?? []) {
        const f = prFiles.find((x) => x.filename === c.path);
        if (!f || hunkOf(parsePatch(f.patch).hunks, c.line) === null)
          return json(422, { message: "Unprocessable Entity", errors: ["Line could not be resolved"] });
      }
      return json(200, { id: 1 });
    }
    if (req.method === "POST" && url.endsWith("/check-runs")) return json(201, { id: 9 });
    if (req.method === "PATCH" && url.includes("/check-runs/")) return json(200, {});
    if (req.method === "GET" && url.includes("/comments")) return json(200, []);
    if (req.method === "POST" && url.endsWith("/comments")) return json(201, { id: 1 });
    if (req.method === "POST" && url.endsWith("/labels")) return json(201, {});
    return json(404, { message: `unexpected ${req.method} ${url}` });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

describe("the App as a server", () => {
  const seen: Seen[] = [];
  let api: Server;
  let app: ReturnType<typeof start>;
  let base = "";

  beforeAll(async () => {
    api = await fakeGitHub(seen);
    const apiPort = (api.address() as AddressInfo).port;
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    app = start(cleanDir(), {
      NODE_ENV: "production",
      APP_ID: "123",
      PRIVATE_KEY: privateKey(),
      WEBHOOK_SECRET: SECRET,
      GHE_HOST: `127.0.0.1:${apiPort}`,
      GHE_PROTOCOL: "http",
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "info",
    });
    const health = await waitFor(`${base}/healthz`);
    expect(health.status).toBe(200);
  }, 30_000);

  afterAll(async () => {
    app?.child.kill("SIGTERM");
    await app?.exited;
    api?.close();
  });

  const payload = () => {
    const p = fixture<{ issue: { title: string; body: string } }>("issues.opened");
    p.issue.title = "App crashes on macOS";
    p.issue.body =
      'We run gunicorn -k gevent.\n\n```\n  File "/Users/me/venv/lib/python3.12/site-packages/trio/_core/_run.py", line 2950, in <module>\n    raise NotImplementedError("unsupported platform")\nNotImplementedError: unsupported platform\n```';
    return JSON.stringify(p);
  };
  const post = (body: string, delivery: string, signature?: string) =>
    fetch(`${base}/api/github/webhooks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "issues",
        "x-github-delivery": delivery,
        "x-hub-signature-256":
          signature ?? `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`,
      },
      body,
    });
  const comments = () => seen.filter((s) => s.method === "POST" && s.url.endsWith("/issues/7/comments"));

  it("answers /healthz with its version", async () => {
    const r = await fetch(`${base}/healthz`);
    expect(await r.json()).toMatchObject({ status: "ok" });
  });

  it("serves the playground at /playground: the page, its script and both WebAssembly files", async () => {
    const page = await fetch(`${base}/playground/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain('<script type="module" src="app.js">');
    for (const [file, type] of [
      ["app.js", "text/javascript"],
      ["style.css", "text/css"],
      ["web-tree-sitter.wasm", "application/wasm"],
      ["tree-sitter-python.wasm", "application/wasm"],
    ] as const) {
      const r = await fetch(`${base}/playground/${file}`);
      expect(r.status, file).toBe(200);
      expect(r.headers.get("content-type")).toContain(type);
    }
    expect((await fetch(`${base}/playground/../package.json`)).status).not.toBe(200);
    expect((await fetch(`${base}/playground/diagnose.js`)).status).toBe(404);
    expect((await fetch(`${base}/playground`, { redirect: "manual" })).headers.get("location")).toBe(
      "/playground/",
    );
  });

  it.skipIf(process.platform !== "linux")(
    "does the work on a thread of lower priority than the one that answers webhooks",
    async () => {
      // /proc/<pid>/task/<tid>/stat: the nice value is the 19th field (after the parenthesised name).
      const nice = (tid: string) => {
        const stat = readFileSync(`/proc/${app.child.pid}/task/${tid}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
      };
      const niceValues = () => readdirSync(`/proc/${app.child.pid}/task`).map(nice);
      // The work thread lowers its own priority once it has started.
      for (let i = 0; i < 100 && !niceValues().includes(10); i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(nice(String(app.child.pid))).toBe(0);
      expect(niceValues()).toContain(10);
    },
  );

  it("answers a signed webhook with one correct comment", async () => {
    const body = payload();
    const delivery = randomUUID();
    const r = await post(body, delivery);
    expect(r.status).toBeLessThan(300);
    const until = Date.now() + 10_000;
    while (comments().length === 0 && Date.now() < until) await new Promise((res) => setTimeout(res, 50));
    expect(comments()).toHaveLength(1);
    const posted = JSON.parse(comments()[0]?.body ?? "{}") as { body: string };
    expect(posted.body).toContain("<!-- async-doctor:issue rules=trio-unsupported-platform -->");
    expect(posted.body).toContain("gunicorn's gevent worker");

    // A redelivery (same X-GitHub-Delivery) adds nothing.
    const before = seen.length;
    const again = await post(body, delivery);
    expect(again.status).toBeLessThan(300);
    await new Promise((res) => setTimeout(res, 500));
    expect(seen.length).toBe(before);
    expect(comments()).toHaveLength(1);
  });

  const prPayload = (n: number) => {
    const p = fixture<{ number: number; pull_request: { number: number } }>("pull_request.opened");
    p.number = n;
    p.pull_request.number = n;
    return JSON.stringify(p);
  };
  const postPr = (body: string, delivery: string) =>
    fetch(`${base}/api/github/webhooks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "pull_request",
        "x-github-delivery": delivery,
        "x-hub-signature-256": `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`,
      },
      body,
    });
  const reviews = (n: number) =>
    seen.filter((s) => s.method === "POST" && s.url.endsWith(`/pulls/${n}/reviews`));
  const settle = async (pred: () => boolean) => {
    const until = Date.now() + 10_000;
    while (!pred() && Date.now() < until) await new Promise((res) => setTimeout(res, 50));
  };

  it("reviews a PR adding `import requests` before `monkey.patch_all()` with one inline comment", async () => {
    const body = prPayload(12);
    const delivery = randomUUID();
    expect((await postPr(body, delivery)).status).toBeLessThan(300);
    await settle(() => seen.some((s) => s.method === "PATCH" && s.url.includes("/check-runs/")));
    expect(reviews(12)).toHaveLength(1);
    const review = JSON.parse(reviews(12)[0]?.body ?? "{}") as { comments: { path: string; line: number }[] };
    expect(review.comments).toEqual([
      expect.objectContaining({ path: "app/late.py", line: 3, side: "RIGHT" }),
    ]);

    const before = seen.length;
    expect((await postPr(body, delivery)).status).toBeLessThan(300);
    await new Promise((res) => setTimeout(res, 500));
    expect(seen.length).toBe(before);
  });

  it("completes the check run with what went wrong when a review cannot be made", async () => {
    const delivery = randomUUID();
    expect((await postPr(prPayload(14), delivery)).status).toBe(202);
    const done = () =>
      seen.filter((s) => s.method === "PATCH" && s.body.includes("could not make this review"));
    await settle(() => done().length > 0);
    const final = JSON.parse(done()[0]?.body ?? "{}") as {
      status: string;
      conclusion: string;
      output: { summary: string };
    };
    expect(final).toMatchObject({ status: "completed", conclusion: "neutral" });
    expect(final.output.summary).toContain("HTTP 404");
    expect(reviews(14)).toHaveLength(0);
  });

  it("leaves a clean PR without any comment", async () => {
    const checksBefore = seen.filter((s) => s.method === "PATCH").length;
    expect((await postPr(prPayload(13), randomUUID())).status).toBeLessThan(300);
    await settle(() => seen.filter((s) => s.method === "PATCH").length > checksBefore);
    expect(reviews(13)).toHaveLength(0);
    expect(seen.some((s) => s.url.includes("/pulls/13/comments") && s.method === "POST")).toBe(false);
  });

  it("takes signed deliveries at / too (where the setup flow points an App without a smee channel)", async () => {
    const body = "{}";
    const sign = (b: string) => `sha256=${createHmac("sha256", SECRET).update(b).digest("hex")}`;
    const headers = {
      "content-type": "application/json",
      "x-github-event": "ping",
      "x-hub-signature-256": sign(body),
    };
    const ok = await fetch(`${base}/`, {
      method: "POST",
      headers: { ...headers, "x-github-delivery": randomUUID() },
      body,
    });
    expect(ok.status).toBe(202);
    const bad = await fetch(`${base}/`, {
      method: "POST",
      headers: { ...headers, "x-github-delivery": randomUUID(), "x-hub-signature-256": "sha256=00" },
      body,
    });
    expect(bad.status).toBe(400);
    const manifest = parse(readFileSync(join(_ROOT, "app.yml"), "utf8")) as Record<string, unknown>;
    expect(manifest.hook_attributes).toBeUndefined();
    expect(manifest.default_events).toEqual(expect.arrayContaining(["check_run", "check_suite", "push"]));
  });

  it("rejects a bad signature with 400 and logs it as one line, without the body", async () => {
    const marker = `payload-marker-${randomUUID()}`;
    const body = payload().replace("App crashes on macOS", marker);
    const delivery = randomUUID();
    const r = await post(body, delivery, "sha256=0000");
    expect(r.status).toBe(400);
    await new Promise((res) => setTimeout(res, 200));
    const lines = app
      .output()
      .split("\n")
      .filter((l) => l.includes(delivery));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("bad signature");
    expect(app.output()).not.toContain(marker);
  });

  it("refuses a body over GitHub's 25 MB limit before buffering it", async () => {
    const big = Buffer.alloc(26 * 1024 * 1024, 0x20);
    const r = await fetch(`${base}/api/github/webhooks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "issues",
        "x-github-delivery": "big-one",
      },
      body: big,
    }).catch(() => null);
    // Either the 413 arrives, or the connection is cut after it: never a 2xx.
    if (r) expect(r.status).toBe(413);
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    // The log line is written asynchronously: give a busy machine a moment.
    for (let i = 0; i < 50 && !app.output().includes("larger than GitHub's 25 MB limit"); i++)
      await new Promise((res) => setTimeout(res, 100));
    expect(app.output()).toContain("larger than GitHub's 25 MB limit");
  });

  it("keeps answering /healthz while a pathological issue text is diagnosed", async () => {
    const p = JSON.parse(payload()) as { issue: { body: string; number: number } };
    p.issue.number = 8;
    p.issue.body += `\n\n\`\`\`python\nfrom gevent import monkey\nmonkey.patch_all()\n${"# commentary line\n".repeat(1400)}import trio\n\`\`\``;
    const body = JSON.stringify(p);
    expect((await post(body, randomUUID())).status).toBe(202);
    let worst = 0;
    for (let i = 0; i < 20; i++) {
      const t = Date.now();
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      worst = Math.max(worst, Date.now() - t);
      await new Promise((res) => setTimeout(res, 25));
    }
    // A liveness bound, not a speed figure: the work runs off the thread that answers.
    expect(worst).toBeLessThan(2000);
  });

  it("never logs the token, the private key or the secret", () => {
    const out = app.output();
    expect(out).not.toContain("ghs_e2e");
    expect(out).not.toContain("PRIVATE KEY");
    expect(out).not.toContain(SECRET);
  });
});

describe("starting up", () => {
  it("refuses to start in production without a webhook secret, with a one-line reason", async () => {
    const run = start(cleanDir(), { NODE_ENV: "production", APP_ID: "1", PRIVATE_KEY: privateKey() });
    expect(await run.exited).toBe(1);
    expect(run.output().trim().split("\n")).toHaveLength(1);
    expect(run.output()).toContain("WEBHOOK_SECRET");
  });

  for (const [name, env] of [
    ["no secret", {}],
    ["the secret development", { WEBHOOK_SECRET: "development" }],
  ] as const)
    it(`refuses ${name} when real credentials are present and NODE_ENV is unset`, async () => {
      const run = start(cleanDir(), { APP_ID: "1", PRIVATE_KEY: privateKey(), ...env });
      expect(await run.exited).toBe(1);
      expect(run.output().trim().split("\n")).toHaveLength(1);
      expect(run.output()).toContain("ASYNC_DOCTOR_DEV=1");
    });

  it("without credentials starts Probot's setup flow instead of crashing", async () => {
    const port = await freePort();
    const run = start(cleanDir(), { PORT: String(port), HOST: "127.0.0.1", NODE_ENV: "development" });
    try {
      const r = await waitFor(`http://127.0.0.1:${port}/`);
      expect(r.status).toBeLessThan(500);
      expect(run.output()).toContain("setup flow");
      // One address is printed, the one that serves every page (not Probot's inner port).
      const urls = run.output().match(/https?:\/\/[^\s)]+/g) ?? [];
      expect(urls.length).toBeGreaterThan(0);
      for (const u of urls)
        if (u.includes("127.0.0.1") || u.includes("localhost")) expect(u).toContain(`:${port}`);
      // The App's own pages answer in setup mode too; the flow's pages come through.
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: "ok" });
      const page = await fetch(`http://127.0.0.1:${port}/probot`);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain("Register GitHub App");
      expect(html).toContain('href="/playground/"');
      const playground = await fetch(`http://127.0.0.1:${port}/playground/`);
      expect(playground.status).toBe(200);
      expect(await playground.text()).toContain("async-doctor playground");
    } finally {
      run.child.kill("SIGTERM");
      await run.exited;
    }
  }, 30_000);
});
