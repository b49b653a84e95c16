/** The configuration cache: one lookup per repository and TTL, dropped by a push, shared versions across replicas. */
import { randomUUID } from "node:crypto";
import type { ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/schema.js";
import { ConfigCache, type VersionStore } from "../../src/github/config-cache.js";
import type { ConfigSource } from "../../src/github/config-source.js";
import { redisVersions } from "../../src/github/redis-versions.js";
import { REDIS_URL, redisUp } from "../queue/redis-available.js";
import { api, calls, fixture, graphqlConfig, OWNER, REPO, token, useProbot } from "./harness.js";

const octokit = {} as ProbotOctokit;

/** The founding report as issue number `n`: a finding, so a comment (when the App is on). */
const TRIO_BODY =
  'macOS gevent\n```\n  File "/Users/a/v/lib/python3.12/site-packages/trio/_core/_run.py", line 2950, in <module>\n    raise NotImplementedError("unsupported platform")\nNotImplementedError: unsupported platform\n```';
function issue(n: number) {
  const p = fixture<Record<string, { number: number; title: string; body: string }>>("issues.opened");
  (p.issue as { number: number }).number = n;
  (p.issue as { title: string }).title = "Crash";
  (p.issue as { body: string }).body = TRIO_BODY;
  return p;
}
function counting() {
  const loads: string[] = [];
  const load: ConfigSource = {
    load: async (_o, r) => {
      loads.push(`${r.owner}/${r.repo}`);
      return { result: parseConfig(null), ownFileOnly: false };
    },
    readOwnFile: async () => ({ status: "missing" }),
    fromText: async () => ({ result: parseConfig(null), ownFileOnly: true }),
  };
  return { loads, load };
}

describe("the configuration cache", () => {
  it("reuses a repository's configuration until its TTL, and forgets it on a push", async () => {
    const { loads, load } = counting();
    const cache = new ConfigCache(60_000, null, load);
    await cache.get(octokit, { owner: "acme", repo: "a" });
    await cache.get(octokit, { owner: "acme", repo: "a" });
    await cache.get(octokit, { owner: "acme", repo: "b" });
    expect(loads).toEqual(["acme/a", "acme/b"]);
    await cache.pushed("acme", "a");
    await cache.get(octokit, { owner: "acme", repo: "a" });
    await cache.get(octokit, { owner: "acme", repo: "b" });
    expect(loads).toEqual(["acme/a", "acme/b", "acme/a"]);
    await cache.pushed("acme", ".github"); // the organisation's file: every repository of acme
    await cache.get(octokit, { owner: "acme", repo: "b" });
    expect(loads).toEqual(["acme/a", "acme/b", "acme/a", "acme/b"]);
  });

  it("with TTL 0 always reads", async () => {
    const { loads, load } = counting();
    const cache = new ConfigCache(0, null, load);
    await cache.get(octokit, { owner: "acme", repo: "a" });
    await cache.get(octokit, { owner: "acme", repo: "a" });
    expect(loads).toHaveLength(2);
  });

  const replicas = (store: () => VersionStore) => async () => {
    const a = counting();
    const b = counting();
    const one = new ConfigCache(60_000, store(), a.load);
    const two = new ConfigCache(60_000, store(), b.load);
    await one.get(octokit, { owner: "acme", repo: "a" });
    await two.get(octokit, { owner: "acme", repo: "a" });
    await two.get(octokit, { owner: "acme", repo: "a" });
    await one.pushed("acme", "a"); // the push reached replica one only
    await two.get(octokit, { owner: "acme", repo: "a" });
    expect([a.loads.length, b.loads.length]).toEqual([1, 2]);
  };

  it("a push seen by one replica makes the others read again (shared versions)", async () => {
    const shared = new Map<string, number>();
    const store = (): VersionStore => ({
      get: async (keys) => keys.map((k) => (shared.has(k) ? String(shared.get(k)) : null)),
      bump: async (k) => {
        shared.set(k, (shared.get(k) ?? 0) + 1);
      },
    });
    await replicas(store)();
  });

  it.skipIf(!redisUp)("the same with the versions on Redis", async () => {
    const prefix = `ad-config-${randomUUID()}`;
    await replicas(() => redisVersions(REDIS_URL, prefix))();
  });
});

describe("the App's configuration lookups", () => {
  const app = useProbot({ configTtlMs: 60_000 });
  it("looks up a repository's configuration once for two events, and again after a push", async () => {
    const scope = api();
    token(scope);
    graphqlConfig(scope, null);
    graphqlConfig(scope, null);
    for (const n of [51, 52, 53]) {
      scope.post(`/repos/${OWNER}/${REPO}/issues/${n}/comments`).reply(201, { id: n });
      scope.post(`/repos/${OWNER}/${REPO}/issues/${n}/labels`).reply(200, []);
    }
    scope.post(`/repos/${OWNER}/${REPO}/labels`).reply(201, {});
    await app.send("issues", issue(51));
    await app.send("issues", issue(52));
    expect(calls.filter((c) => c === "POST /graphql")).toHaveLength(1);
    await app.send("push", {
      ref: "refs/heads/main",
      repository: {
        name: REPO,
        full_name: `${OWNER}/${REPO}`,
        default_branch: "main",
        owner: { login: OWNER },
      },
      installation: { id: 4242 },
      commits: [],
    });
    await app.send("issues", issue(53));
    expect(calls.filter((c) => c === "POST /graphql")).toHaveLength(2);
  });
});

describe("revalidating a repository's own file with conditional requests", () => {
  const app = useProbot({ configTtlMs: 40 });
  const expire = () => new Promise((r) => setTimeout(r, 60));
  it("asks with the ETag after the TTL: a 304 keeps the configuration, a change or a removal is read", async () => {
    const scope = api();
    token(scope);
    graphqlConfig(scope, "issues:\n  enabled: true\n");
    graphqlConfig(scope, null);
    const sent: (string | undefined)[] = [];
    const answers: [number, string, string | undefined][] = [
      [200, "issues:\n  enabled: true\n", '"e1"'],
      [304, "", '"e1"'],
      [200, "enabled: false\n", '"e2"'],
      [404, '{"message":"Not Found"}', undefined],
    ];
    scope
      .get(`/repos/${OWNER}/${REPO}/contents/.github%2Fasync-doctor.yml`)
      .times(answers.length)
      .reply(function () {
        sent.push(this.req.headers["if-none-match"] as string | undefined);
        const [status, body, etag] = answers[sent.length - 1] as [number, string, string | undefined];
        return [status, body, etag ? { etag } : {}];
      });
    const commented: number[] = [];
    for (const n of [61, 62, 63, 64, 65]) {
      scope
        .post(`/repos/${OWNER}/${REPO}/issues/${n}/comments`)
        .optionally()
        .reply(201, () => {
          commented.push(n);
          return { id: n };
        });
      scope.post(`/repos/${OWNER}/${REPO}/issues/${n}/labels`).optionally().reply(200, []);
    }
    scope.post(`/repos/${OWNER}/${REPO}/labels`).optionally().reply(201, {});
    await app.send("issues", issue(61)); // GraphQL: the repository's own file
    await expire();
    await app.send("issues", issue(62)); // first revalidation: unconditional, learns the ETag
    await expire();
    await app.send("issues", issue(63)); // If-None-Match → 304: the same configuration
    await expire();
    await app.send("issues", issue(64)); // changed: `enabled: false` → no comment
    await expire();
    await app.send("issues", issue(65)); // removed: the full lookup again (defaults → a comment)
    expect(sent).toEqual([undefined, '"e1"', '"e1"', '"e2"']);
    expect(calls.filter((c) => c === "POST /graphql")).toHaveLength(2);
    expect(commented).toEqual([61, 62, 63, 65]);
  });
});

describe("[tool.async-doctor] in pyproject.toml, read by the App as by the CLI", () => {
  const app = useProbot();
  it("applies the table when the repository has no .github/async-doctor.yml", async () => {
    const scope = api();
    token(scope);
    scope
      .post("/graphql", (b: { query: string }) => b.query.includes("org: repository"))
      .reply(200, {
        data: {
          repo: {
            object: null,
            pyproject: { text: '[project]\nname = "svc"\n\n[tool.async-doctor]\nenabled = false\n' },
          },
          org: { object: { text: "enabled: true\n" } },
        },
      });
    await app.send("issues", issue(1));
    // The App is switched off by the pyproject table: one lookup, nothing posted.
    expect(calls.filter((c) => !c.includes("access_tokens"))).toEqual(["POST /graphql"]);
  });
});
