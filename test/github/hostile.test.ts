/**
 * What a stranger who can open a pull request or write a comment can send (issue 10 §1): hostile
 * configs are config errors, never a crash or a skipped review.
 */
import { describe, expect, it } from "vitest";
import { yamlGuard } from "../../src/config/guard.js";
import { validateConfigText } from "../../src/config/validate.js";
import { checkOutput } from "../../src/report/check.js";
import { code } from "../../src/report/markdown.js";
import { api, calls, fixture, graphqlConfig, OWNER, REPO, timeline, token, useProbot } from "./harness.js";
import {
  addedPatch,
  captureReview,
  checks,
  completions,
  files,
  graphqlContents,
  HEAD,
  LATE_PATCH_SRC,
  opened,
  type Payload,
} from "./pr-helpers.js";

const app = useProbot();
const send = app.send;

const DEEP = `a: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`;
const ALIAS_BOMB = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
  "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
  "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
  "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]",
  "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]",
  "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]",
  "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]",
  "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]",
  "pull_requests: *i",
].join("\n");

describe("hostile configuration text", () => {
  it("refuses deep nesting and oversize files before parsing", () => {
    expect(yamlGuard(DEEP)).toContain("larger than 64 KiB");
    expect(yamlGuard(`a: ${"[".repeat(10_000)}${"]".repeat(10_000)}\n`)).toContain("nested deeper than");
    expect(yamlGuard(Array.from({ length: 40 }, (_, i) => `${" ".repeat(i)}k${i}:`).join("\n"))).toContain(
      "nested deeper than",
    );
    expect(yamlGuard(`${"x: 1\n".repeat(20_000)}`)).toContain("larger than 64 KiB");
    expect(
      yamlGuard("pull_requests:\n  include: ['**/*.py', \"a#b\"]  # [[[[\n  fail_on: high\n"),
    ).toBeNull();
    expect(validateConfigText(`a: ${"{".repeat(5000)}`)[0]?.message).toContain(
      "nested deeper than 32 levels",
    );
  });

  it("reports an alias bomb as a config error instead of expanding it", () => {
    const problems = validateConfigText(ALIAS_BOMB);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toContain("YAML");
  });

  for (const [name, text] of [
    ["a 100,000-level flow nesting", DEEP],
    ["an alias bomb", ALIAS_BOMB],
  ] as const)
    it(`a PR whose config is ${name} still gets its review, with the config annotated`, async () => {
      const scope = api();
      token(scope);
      graphqlConfig(scope, "pull_requests:\n  fail_on: high\n");
      const check = checks(scope);
      files(scope, [
        { filename: ".github/async-doctor.yml", status: "modified", patch: "@@ -1 +1 @@\n-a: 1\n+a: 2" },
        { filename: "app/main.py", status: "added", patch: addedPatch(LATE_PATCH_SRC) },
      ]);
      graphqlContents(scope, {
        [`${HEAD}:.github/async-doctor.yml`]: text,
        [`${HEAD}:app/main.py`]: LATE_PATCH_SRC,
      });
      const review = captureReview(scope);
      completions(scope, check);
      await send("pull_request", opened());
      expect(review.body.comments).toHaveLength(1);
      const done = check.updates.at(-1) as Payload;
      expect(done.conclusion).toBe("failure");
      expect(done.output.annotations.some((a: Payload) => a.path === ".github/async-doctor.yml")).toBe(true);
    });
});

describe("other bots' comments", () => {
  const ISSUE = `/repos/${OWNER}/${REPO}/issues/7`;
  const REPORT =
    'macOS, gevent patched:\n```\n  File "/Users/a/v/lib/python3.12/site-packages/trio/_core/_run.py", line 2950, in <module>\n    raise NotImplementedError("unsupported platform")\nNotImplementedError: unsupported platform\n```';
  const foreign = (id: number, created: string) => ({
    id,
    body: "<!-- async-doctor:issue rules=trio-unsupported-platform -->\nanother App's text",
    user: { login: "other-app[bot]", type: "Bot" },
    created_at: created,
  });

  it("never edits or deletes another App's comment that carries our marker", async () => {
    const scope = api();
    token(scope);
    graphqlConfig(scope, null);
    scope
      .get(`${ISSUE}/comments`)
      .query(true)
      .reply(200, [foreign(31, "2026-11-20T10:01:00Z"), foreign(32, "2026-11-20T10:02:00Z")]);
    timeline(scope);
    let created = "";
    scope
      .post(`${ISSUE}/comments`, (b: { body: string }) => {
        created = b.body;
        return true;
      })
      .reply(201, { id: 40 });
    scope.post(`/repos/${OWNER}/${REPO}/labels`).reply(201, {});
    scope.post(`${ISSUE}/labels`).reply(200, []);
    const p = fixture<Payload>("issue_comment.created");
    p.issue.title = "Crash";
    p.issue.body = REPORT;
    p.issue.comments = 3;
    p.comment.body = "me too";
    await send("issue_comment", p);
    expect(created).toContain("async-doctor:issue");
    expect(calls.some((c) => c.startsWith("PATCH") || c.startsWith("DELETE"))).toBe(false);
  });
});

describe("file names from strangers", () => {
  it("stay inside one code span in the check-run text, whatever line breaks they hold", () => {
    const evil = "a\n```\n@octocat <img src=x onerror=alert(1)>\r\n# Heading\u2028`b`\u0085.py";
    const out = checkOutput(
      [],
      [{ path: evil, reason: "binary content" }],
      [`${code(evil, 300)} has no diff`],
    );
    const lines = out.text.split("\n");
    const holding = lines.filter((l) => l.includes("octocat"));
    expect(holding).toHaveLength(2);
    for (const l of holding) {
      expect(l).not.toMatch(/^#|^```/);
      // The name sits inside one code span on a single line.
      const at = l.indexOf("octocat");
      expect(l.lastIndexOf("`", at)).toBeGreaterThanOrEqual(0);
      expect(l.indexOf("`", at)).toBeGreaterThan(at);
    }
    // No line of the text opens a code fence (three backticks at its start, in a list item too).
    expect(out.text).not.toMatch(/^\s*(- )?```/m);
    expect(out.text).not.toContain("\r");
    expect(out.text).not.toContain("\u2028");
    expect(out.text).not.toContain("\u0085");
  });
});
