import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG, parseConfig, ruleFilter } from "../../src/config/schema.js";

const ruleEnabled = (c: typeof DEFAULT_CONFIG, id: string) => ruleFilter(c).enabled?.(id);

describe("configuration schema", () => {
  it("has defaults for everything", () => {
    expect(DEFAULT_CONFIG.enabled).toBe(true);
    expect(DEFAULT_CONFIG.issues).toMatchObject({ mode: "comment", min_confidence: "medium", closed: false });
    expect(DEFAULT_CONFIG.pull_requests).toMatchObject({
      report: "added",
      max_comments: 20,
      fail_on: "never",
    });
  });
  it("strips _extends and accepts on/off and booleans for rules", () => {
    const r = parseConfig({
      _extends: ".github",
      rules: { "gevent-grpc": "off", "trio-nested-run": false, "gevent-loopexit": "on" },
    });
    expect(r.error).toBeNull();
    expect(ruleEnabled(r.config, "gevent-grpc")).toBe(false);
    expect(ruleEnabled(r.config, "trio-nested-run")).toBe(false);
    expect(ruleEnabled(r.config, "gevent-loopexit")).toBe(true);
    expect(ruleEnabled(r.config, "gevent-psycopg2")).toBe(true);
  });
  it("reports every problem readably and falls back to the defaults", () => {
    const r = parseConfig({
      version: 2,
      issues: { mode: "loud" },
      rules: { "no-such-rule": "off" },
      extra: true,
    });
    expect(r.config).toEqual(DEFAULT_CONFIG);
    expect(r.error).toContain("- version:");
    expect(r.error).toContain("- issues.mode:");
    expect(r.error).toContain("no-such-rule");
    expect(r.error).toContain('Unrecognized key: "extra"');
    expect(parseConfig("just a string").error).toContain("expected a mapping");
  });
});
