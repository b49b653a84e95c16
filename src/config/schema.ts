/**
 * `.github/async-doctor.yml`: the zod schema (with defaults), validation with readable errors,
 * the rule filter every face uses, and the JSON Schema published for editors.
 */

import { z } from "zod";
import { RULE_IDS } from "../diagnosis/catalog.js";
import { globProblem, MAX_GLOB_LENGTH } from "./globs.js";

/** Where the configuration lives in a repository (read from the default branch only). */
export { CONFIG_PATH } from "./defaults.js";

const ruleSwitch = z
  .union([z.enum(["on", "off"]), z.boolean()], { error: "expected `on` or `off` (or true / false)" })
  .transform((v) => (v === true || v === "on" ? "on" : "off"))
  .describe("`on` or `off` (true/false accepted)");

const ruleIdEnum = z.enum(RULE_IDS as [string, ...string[]]);

const labelName = z.string().min(1).max(50);

export const IssuesConfig = z
  .object({
    enabled: z.boolean().default(true).describe("Triage new issues and comments."),
    mode: z
      .enum(["comment", "label-only"])
      .default("comment")
      .describe("`comment`: one sticky comment plus labels; `label-only`: labels only, no comment."),
    min_confidence: z
      .enum(["high", "medium"])
      .default("medium")
      .describe("Lowest confidence that gets a comment. Labels are only ever added for `high` findings."),
    closed: z
      .boolean()
      .default(false)
      .describe("Also triage closed issues (off: closed issues are left alone)."),
    related: z
      .boolean()
      .default(false)
      .describe(
        "List earlier issues of this repository that got the same diagnosis (one search request per comment), as `Same cause as #N`.",
      ),
    labels: z
      .object({
        enabled: z.boolean().default(true).describe("Label issues with high-confidence findings."),
        default: labelName
          .default("concurrency-conflict")
          .describe("Label added for any high-confidence finding."),
        rules: z
          .partialRecord(ruleIdEnum, labelName)
          .default({})
          .describe("Per-rule label names, used instead of `default` for that rule."),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** A path glob, checked here so that a bad one is a config error, never a failed review. */
const glob = z
  .string()
  .min(1)
  .max(MAX_GLOB_LENGTH)
  .superRefine((value, ctx) => {
    const problem = globProblem(value);
    if (problem !== null) ctx.addIssue({ code: "custom", message: `${JSON.stringify(value)} is ${problem}` });
  });

export const PullRequestsConfig = z
  .object({
    enabled: z.boolean().default(true).describe("Review pull requests that change Python files."),
    include: z
      .array(glob)
      .max(100)
      .default(["**/*.py", "**/*.pyi"])
      .describe("Globs of files to analyse (picomatch syntax, relative to the repository root)."),
    exclude: z
      .array(glob)
      .max(100)
      .default([])
      .describe("Globs of files to skip (wins over include); the CLI skips them too."),
    report: z
      .enum(["added", "changed-files"])
      .default("added")
      .describe("`added`: only findings the PR introduces; `changed-files`: every finding in changed files."),
    max_comments: z
      .number()
      .int()
      .min(0)
      .max(50)
      .default(20)
      .describe("Inline comments per review; the rest go to the review body."),
    suggestions: z.boolean().default(true).describe("Offer exact fixes as suggestion blocks."),
    include_tests: z
      .boolean()
      .default(false)
      .describe(
        "Also report findings in test files (tests/, test_*.py, conftest.py); they often trigger the patterns on purpose.",
      ),
    check_run: z.boolean().default(true).describe("Report a check run named `async-doctor`."),
    fail_on: z
      .enum(["never", "high", "any"])
      .default("never")
      .describe(
        "Check conclusion: `never` = neutral with findings; `high` = failure on high findings; `any` = failure on any.",
      ),
    skip_drafts: z.boolean().default(true).describe("Skip draft pull requests."),
    skip_bots: z.boolean().default(true).describe("Skip pull requests opened by bots."),
  })
  .strict();

export const ConfigSchema = z
  .object({
    version: z.literal(1).default(1).describe("Schema version of this file."),
    enabled: z.boolean().default(true).describe("Master switch for the whole App."),
    issues: IssuesConfig.prefault({}),
    pull_requests: PullRequestsConfig.prefault({}),
    rules: z.partialRecord(ruleIdEnum, ruleSwitch).default({}).describe("Turn single rules `on` or `off`."),
  })
  .strict();

export type Config = z.output<typeof ConfigSchema>;

export const DEFAULT_CONFIG: Config = ConfigSchema.parse({});

export interface ConfigResult {
  config: Config;
  /** Readable validation errors (defaults were applied), or null. */
  error: string | null;
}

function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const path = i.path.length > 0 ? i.path.join(".") : "(top level)";
      return `- ${path}: ${i.message}`;
    })
    .join("\n");
}

/** Validate a parsed YAML value. `_extends` is the loader's (load.ts) and is removed first. */
export function parseConfig(raw: unknown): ConfigResult {
  if (raw === null || raw === undefined) return { config: DEFAULT_CONFIG, error: null };
  if (typeof raw !== "object" || Array.isArray(raw)) {
    return { config: DEFAULT_CONFIG, error: "- (top level): expected a mapping of settings" };
  }
  const { _extends: _ignored, ...rest } = raw as Record<string, unknown>;
  const r = ConfigSchema.safeParse(rest);
  if (r.success) return { config: r.data, error: null };
  return { config: DEFAULT_CONFIG, error: formatIssues(r.error) };
}

export { ruleFilter } from "./rule-filter.js";

/** The JSON Schema for editors, generated from the zod schema (input side: what users write). */
export function configJsonSchema(): object {
  const schema = z.toJSONSchema(ConfigSchema, { io: "input", unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  return {
    $id: "https://github.com/async-doctor/async-doctor/blob/main/docs/config.schema.json",
    $comment: "Generated by `npm run generate` from src/config/schema.ts.",
    title: "async-doctor configuration (.github/async-doctor.yml)",
    ...schema,
  };
}
