import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliConfig, findConfigFile } from "../../src/cli/config.js";
import { type ConfigRef, loadConfig, MAX_CONFIG_BYTES, parseExtends } from "../../src/config/load.js";
import { CONFIG_PATH, DEFAULT_CONFIG, ruleFilter } from "../../src/config/schema.js";

/** A reader over an in-memory set of files, keyed `owner/repo:path` (the configured repo is `/`). */
function reader(files: Record<string, string>) {
  const reads: string[] = [];
  const read = async (ref: ConfigRef) => {
    const key = `${ref.owner ?? ""}/${ref.repo ?? ""}:${ref.path}`;
    reads.push(key);
    return files[key] ?? null;
  };
  return { read, reads };
}

describe("the one configuration loader", () => {
  it("gives the defaults without a file, and validates a file", async () => {
    expect(await loadConfig(reader({}).read)).toEqual({ config: DEFAULT_CONFIG, error: null });
    const r = await loadConfig(reader({ [`/:${CONFIG_PATH}`]: "rules:\n  gevent-grpc: off\n" }).read);
    expect(r.error).toBeNull();
    expect(ruleFilter(r.config).enabled?.("gevent-grpc")).toBe(false);
  });

  it("follows _extends, the extending file wins, lists are replaced", async () => {
    const { read, reads } = reader({
      [`/:${CONFIG_PATH}`]: "_extends: .github\npull_requests:\n  exclude: ['vendor/**']\n",
      [`/.github:${CONFIG_PATH}`]:
        "_extends: acme/policy:configs/ad.yml\npull_requests:\n  exclude: ['a/**', 'b/**']\n  max_comments: 5\n",
      "acme/policy:configs/ad.yml": "issues:\n  min_confidence: high\npull_requests:\n  max_comments: 7\n",
    });
    const r = await loadConfig(read);
    expect(r.error).toBeNull();
    expect(r.config.pull_requests.exclude).toEqual(["vendor/**"]);
    expect(r.config.pull_requests.max_comments).toBe(5);
    expect(r.config.issues.min_confidence).toBe("high");
    expect(reads).toEqual([`/:${CONFIG_PATH}`, `/.github:${CONFIG_PATH}`, "acme/policy:configs/ad.yml"]);
  });

  it("reports cycles, missing bases, bad _extends and oversized or invalid YAML as errors with the defaults", async () => {
    const cycle = await loadConfig(
      reader({
        [`/:${CONFIG_PATH}`]: "_extends: other\n",
        [`/other:${CONFIG_PATH}`]: "_extends: o/x:.github/async-doctor.yml\n",
        [`o/x:${CONFIG_PATH}`]: "_extends: o/x\n",
      }).read,
    );
    expect(cycle.error).toContain("cycle");
    expect(cycle.config).toEqual(DEFAULT_CONFIG);
    expect((await loadConfig(reader({ [`/:${CONFIG_PATH}`]: "_extends: gone\n" }).read)).error).toContain(
      "does not exist",
    );
    expect((await loadConfig(reader({ [`/:${CONFIG_PATH}`]: "_extends: 42\n" }).read)).error).toContain(
      "_extends",
    );
    expect((await loadConfig(reader({ [`/:${CONFIG_PATH}`]: "issues: [\n" }).read)).error).toContain(
      "not valid YAML",
    );
    expect((await loadConfig(reader({ [`/:${CONFIG_PATH}`]: "- a\n- b\n" }).read)).error).toContain(
      "mapping",
    );
    const big = `# ${"x".repeat(MAX_CONFIG_BYTES)}\nenabled: false\n`;
    const r = await loadConfig(reader({ [`/:${CONFIG_PATH}`]: big }).read);
    expect(r.error).toContain("larger than");
    expect(r.config.enabled).toBe(true);
  });

  it("parses the forms of _extends", () => {
    expect(parseExtends(".github", { owner: "acme", path: CONFIG_PATH })).toEqual({
      owner: "acme",
      repo: ".github",
      path: CONFIG_PATH,
    });
    expect(parseExtends("org/repo:x/y.yml", { path: CONFIG_PATH })).toEqual({
      owner: "org",
      repo: "repo",
      path: "x/y.yml",
    });
    expect(() => parseExtends("a/b/c", { path: CONFIG_PATH })).toThrow();
  });
});

describe("the CLI's configuration", () => {
  it("finds .github/async-doctor.yml from the scanned path up to the repository root", async () => {
    const root = mkdtempSync(join(tmpdir(), "ad-cfg-"));
    mkdirSync(join(root, ".git"));
    mkdirSync(join(root, ".github"));
    mkdirSync(join(root, "src", "pkg"), { recursive: true });
    writeFileSync(join(root, CONFIG_PATH), "rules:\n  trio-import-unguarded: off\n");
    expect(await findConfigFile(join(root, "src", "pkg"))).toBe(join(root, CONFIG_PATH));
    const r = await cliConfig(null, join(root, "src"));
    expect(r.file).toBe(join(root, CONFIG_PATH));
    expect(ruleFilter(r.config, ["gevent-grpc"]).enabled?.("trio-import-unguarded")).toBe(false);
    expect(ruleFilter(r.config, ["gevent-grpc"]).enabled?.("gevent-grpc")).toBe(false);
    expect(ruleFilter(r.config, ["gevent-grpc"]).enabled?.("gevent-asyncio-mix")).toBe(true);
    // Does not look above the repository root.
    const inner = join(root, "sub");
    mkdirSync(join(inner, ".git"), { recursive: true });
    expect(await findConfigFile(inner)).toBeNull();
  });

  it("does not follow _extends offline: says so, and keeps the file's own settings", async () => {
    const root = mkdtempSync(join(tmpdir(), "ad-cfg-"));
    const file = join(root, "c.yml");
    writeFileSync(file, "_extends: .github\nrules:\n  gevent-grpc: off\n");
    const r = await cliConfig(file, root);
    expect(r.error).toBeNull();
    expect(r.notFollowed).toBe(".github");
    expect(r.config.rules["gevent-grpc"]).toBe("off");
  });
});
