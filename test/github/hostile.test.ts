/**
 * What a stranger who can open a pull request or write a comment can send (issue 10 §1): hostile
 * configs are config errors, never a crash or a skipped review.
 */
import { describe, expect, it } from "vitest";
import { yamlGuard } from "../../src/config/guard.js";
import { validateConfigText } from "../../src/config/validate.js";
import { api, graphqlConfig, token, useProbot } from "./harness.js";
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
