/** Labels: one createLabel per repository and label, also when many issues are labelled at once. */
import { randomUUID } from "node:crypto";
import { expect, it } from "vitest";
import { LabelCache } from "../../src/github/labels.js";
import { redisOnce } from "../../src/github/redis-once.js";
import { REDIS_URL, redisUp } from "../queue/redis-available.js";
import { api, calls, fixture, graphqlConfig, OWNER, REPO, token, useProbot } from "./harness.js";

// biome-ignore lint/suspicious/noExplicitAny: webhook payloads are edited freely in tests
type Payload = Record<string, any>;

const app = useProbot();
const REPORT =
  'macOS, gevent patched:\n```\n  File "/Users/a/v/lib/python3.12/site-packages/trio/_core/_run.py", line 2950, in <module>\n    raise NotImplementedError("unsupported platform")\nNotImplementedError: unsupported platform\n```';

it("creates a missing label once while five issues of one repository are labelled at once", async () => {
  const scope = api();
  token(scope);
  const numbers = [41, 42, 43, 44, 45];
  for (const n of numbers) {
    graphqlConfig(scope, null);
    scope.post(`/repos/${OWNER}/${REPO}/issues/${n}/comments`).reply(201, { id: n });
    scope.post(`/repos/${OWNER}/${REPO}/issues/${n}/labels`).reply(200, []);
  }
  scope.post(`/repos/${OWNER}/${REPO}/labels`).delay(200).reply(201, { name: "concurrency-conflict" });
  await Promise.all(
    numbers.map((n) => {
      const p = fixture<Payload>("issues.opened");
      p.issue.number = n;
      p.issue.title = "Crash";
      p.issue.body = REPORT;
      return app.send("issues", p);
    }),
  );
  expect(calls.filter((c) => c === `POST /repos/${OWNER}/${REPO}/labels`)).toHaveLength(1);
  expect(calls.filter((c) => c.endsWith("/labels") && c.includes("/issues/"))).toHaveLength(5);
});

it.skipIf(!redisUp)(
  "across replicas (Redis), one of them creates the label while the others wait",
  async () => {
    const prefix = `ad-labels-${randomUUID()}`;
    let creations = 0;
    const replicas = [0, 1, 2].map(() => new LabelCache(redisOnce(REDIS_URL, prefix)));
    await Promise.all(
      replicas.map((cache) =>
        cache.ensure("acme/widgets", "concurrency-conflict", async () => {
          creations++;
          await new Promise((r) => setTimeout(r, 300));
        }),
      ),
    );
    expect(creations).toBe(1);
  },
);
