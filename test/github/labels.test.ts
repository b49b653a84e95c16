/** Labels: one createLabel per repository and label, also when many issues are labelled at once. */
import { expect, it } from "vitest";
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
