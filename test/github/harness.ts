/** Probot + nock test harness: real-shaped payloads, throttling and retries off, call tracking. */
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { Writable } from "node:stream";
import nock from "nock";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { afterEach, beforeEach, expect } from "vitest";
import { createEngine } from "../../src/diagnosis/engine.js";
import { fixedIdentity } from "../../src/github/identity.js";
import { createApp } from "../../src/index.js";

export const API = "https://api.github.com";
export const OWNER = "acme";
export const REPO = "widgets";
export const INSTALLATION = 4242;
/** The App's bot account in tests (production reads it from `GET /app`). */
export const BOT_LOGIN = "async-doctor[bot]";

let key: string | null = null;
export function privateKey(): string {
  if (key === null) {
    key = generateKeyPairSync("rsa", { modulusLength: 2048 })
      .privateKey.export({ type: "pkcs1", format: "pem" })
      .toString();
  }
  return key;
}

export const TestOctokit = ProbotOctokit.defaults((o: Record<string, unknown>) => ({
  ...o,
  retry: { enabled: false },
  throttle: { ...(o.throttle as object), enabled: false },
}));

export interface Harness {
  probot: Probot;
  logs: Record<string, unknown>[];
}

/** `me`: the bot identity the App uses; "app" lets it ask `GET /app` as in production. */
export async function makeProbot(
  opts: { me?: "fixed" | "app"; configTtlMs?: number } = {},
): Promise<Harness> {
  const logs: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const line of chunk.toString().split("\n")) if (line.trim()) logs.push(JSON.parse(line));
      cb();
    },
  });
  const log = pino({ level: "debug" }, stream);
  const probot = new Probot({
    appId: 123,
    privateKey: privateKey(),
    Octokit: TestOctokit,
    log,
    secret: "test-secret",
  });
  await probot.load(
    createApp({
      engine: createEngine(),
      configTtlMs: opts.configTtlMs ?? 0,
      ...(opts.me === "app" ? {} : { me: fixedIdentity(BOT_LOGIN) }),
    }),
  );
  return { probot, logs };
}

export function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/github/${name}.json`, import.meta.url), "utf8")) as T;
}

/** Every request the mocked API answered, as "METHOD /path". */
export const calls: string[] = [];
/** Requests no mock answered (a best-effort call swallows its error: the test must still see it). */
export const unmatched: string[] = [];
nock.emitter.on("no match", (req: { method?: string; path?: string }) => {
  unmatched.push(`${req.method ?? "?"} ${(req.path ?? "").replace(/\?.*$/, "")}`);
});

export function api(): nock.Scope {
  const scope = nock(API);
  scope.on("request", (req: { method: string; path: string }) => {
    calls.push(`${req.method} ${req.path.replace(/\?.*$/, "")}`);
  });
  return scope;
}

/** The installation token exchange every handled event starts with. */
export function token(scope: nock.Scope): nock.Scope {
  return scope.post(`/app/installations/${INSTALLATION}/access_tokens`).reply(201, {
    token: "ghs_test",
    expires_at: "2099-01-01T00:00:00Z",
    permissions: {
      issues: "write",
      pull_requests: "write",
      checks: "write",
      contents: "read",
      metadata: "read",
    },
  });
}

/** GraphQL: the configuration query (repository + organisation `.github`, one request). */
export function graphqlConfig(
  scope: nock.Scope,
  yaml: string | null = null,
  org: string | null = null,
): nock.Scope {
  return scope
    .post("/graphql", (b: { query: string }) => b.query.includes("org: repository"))
    .reply(200, {
      data: {
        repo: { object: yaml === null ? null : { text: yaml } },
        org: { object: org === null ? null : { text: org } },
      },
    });
}

/** No config file in the repo nor in the org's .github repo. */
export function noConfig(scope: nock.Scope): nock.Scope {
  return graphqlConfig(scope, null);
}

export function withConfig(scope: nock.Scope, yaml: string): nock.Scope {
  return graphqlConfig(scope, yaml);
}

/** The issue's timeline (linked pull requests): read once per diagnosis of an existing issue. */
export function timeline(scope: nock.Scope, events: unknown[] = [], issue = 7): nock.Scope {
  return scope.get(`/repos/${OWNER}/${REPO}/issues/${issue}/timeline`).query(true).reply(200, events);
}

export function resetNock(): void {
  nock.cleanAll();
  nock.disableNetConnect();
  calls.length = 0;
  unmatched.length = 0;
}

let delivery = 0;
export function deliveryId(): string {
  delivery++;
  return `00000000-0000-4000-8000-${String(delivery).padStart(12, "0")}`;
}

/**
 * Per-test lifecycle shared by the App tests: fresh nock state (net connect off, call log
 * cleared), GITHUB_* scrubbed from the environment, a new Probot, and no pending mocks at the end.
 * Returns `send` and the current harness.
 */
export function useProbot(opts: { me?: "fixed" | "app"; configTtlMs?: number } = {}): {
  send: (name: string, payload: unknown, id?: string) => Promise<void>;
  current: () => Harness;
} {
  let h: Harness | null = null;
  beforeEach(async () => {
    resetNock();
    for (const k of Object.keys(process.env)) if (k.startsWith("GITHUB_")) delete process.env[k];
    h = await makeProbot(opts);
  });
  afterEach(() => {
    expect(nock.pendingMocks()).toEqual([]);
    expect(unmatched).toEqual([]);
    nock.cleanAll();
  });
  const current = () => {
    if (h === null) throw new Error("useProbot: no harness outside a test");
    return h;
  };
  return {
    current,
    send: async (name, payload, id = deliveryId()) => {
      await current().probot.receive({ id, name: name as never, payload: payload as never });
    },
  };
}
