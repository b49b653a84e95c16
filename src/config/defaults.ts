/**
 * The configuration's defaults and file path without the validator: a command-line run with no
 * settings file loads neither zod nor the YAML and TOML parsers. A test checks that these are
 * exactly what the schema gives for an empty file.
 */
import type { Config } from "./schema.js";

export const CONFIG_PATH = ".github/async-doctor.yml";

export const DEFAULT_CONFIG: Config = {
  version: 1,
  enabled: true,
  issues: {
    enabled: true,
    mode: "comment",
    min_confidence: "medium",
    closed: false,
    related: false,
    labels: { enabled: true, default: "concurrency-conflict", rules: {} },
  },
  pull_requests: {
    enabled: true,
    include: ["**/*.py", "**/*.pyi"],
    exclude: [],
    report: "added",
    max_comments: 20,
    suggestions: true,
    include_tests: false,
    check_run: true,
    fail_on: "never",
    skip_drafts: true,
    skip_bots: true,
  },
  rules: {},
};
