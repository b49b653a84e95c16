/**
 * Exit codes CI can trust, and settings read as ruff reads its own: an invalid settings file or a
 * missing path is exit 2, the file's `fail_on` is the default of `--fail-on`, a file with
 * `_extends` keeps its own settings, and its globs are relative to its own folder.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "./run.js";

const LATE = "import requests\nfrom gevent import monkey\nmonkey.patch_all()\n";

/** A repository with one finding in `app/m.py` and one in `vendor/v.py`. */
function repo(): string {
  const root = mkdtempSync(join(tmpdir(), "ad-exit-"));
  mkdirSync(join(root, ".git"));
  mkdirSync(join(root, ".github"));
  mkdirSync(join(root, "app"));
  mkdirSync(join(root, "vendor"));
  writeFileSync(join(root, "app", "m.py"), LATE);
  writeFileSync(join(root, "vendor", "v.py"), LATE);
  return root;
}

describe("exit codes", () => {
  it("an invalid settings file stops scan and triage with exit 2 and the errors, naming the allowed values", async () => {
    const root = repo();
    writeFileSync(join(root, ".github", "async-doctor.yml"), "rules:\n  gevent-patch-late-ssl: maybe\n");
    const r = await cli(["scan", "."], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("async-doctor.yml is not valid");
    expect(r.stderr).toContain("rules.gevent-patch-late-ssl: expected `on` or `off` (or true / false)");
    const t = await cli(["triage", "-"], { cwd: root, input: "gevent and trio crash\n" });
    expect(t.code).toBe(2);
    writeFileSync(join(root, "pyproject.toml"), '[tool.async-doctor.pull_requests]\nfail_on = "sometimes"\n');
    const toml = await cli(["scan", ".", "-c", "pyproject.toml"], { cwd: root });
    expect(toml.code).toBe(2);
    expect(toml.stderr).toContain("pull_requests.fail_on");
  });

  it("a path that does not exist is exit 2, even beside one that does", async () => {
    const root = repo();
    const r = await cli(["scan", "missing.py", "app/m.py"], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no such file or folder: "missing.py"');
    expect(r.stdout).toBe("");
  });

  it("the settings file's pull_requests.fail_on is the default; --fail-on still wins", async () => {
    const root = repo();
    writeFileSync(join(root, "pyproject.toml"), '[tool.async-doctor.pull_requests]\nfail_on = "never"\n');
    const r = await cli(["scan", "app"], { cwd: root });
    expect(r.stdout).toContain("gevent-patch-late-ssl");
    expect(r.code).toBe(0);
    expect((await cli(["scan", "app", "--fail-on", "any"], { cwd: root })).code).toBe(1);
    // A file that says nothing of fail_on leaves the command line's default: any finding fails.
    writeFileSync(join(root, "pyproject.toml"), '[tool.async-doctor.rules]\ntrio-nested-run = "on"\n');
    expect((await cli(["scan", "app"], { cwd: root })).code).toBe(1);
  });

  it("-c with _extends keeps the file's own settings and says the extension is not followed", async () => {
    const root = repo();
    const other = join(root, "other.yml");
    writeFileSync(other, "_extends: acme/shared-config\nrules:\n  gevent-patch-late-ssl: off\n");
    const r = await cli(["scan", "app", "-c", other], { cwd: root });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("gevent-patch-late-ssl");
    expect(r.stderr).toContain('_extends "acme/shared-config" names another repository');
  });

  it("the settings file's excludes are relative to its folder: scan vendor leaves out what scan . does", async () => {
    const root = repo();
    writeFileSync(join(root, ".github", "async-doctor.yml"), 'pull_requests:\n  exclude: ["vendor/**"]\n');
    const all = await cli(["scan", ".", "-f", "json"], { cwd: root });
    const files = (out: string) => (JSON.parse(out).findings as { file: string }[]).map((f) => f.file);
    expect(files(all.stdout)).toEqual(["app/m.py"]);
    const vendor = await cli(["scan", "vendor", "-f", "json"], { cwd: root });
    expect(files(vendor.stdout)).toEqual([]);
    expect(vendor.code).toBe(0);
    // A pyproject.toml's globs are relative to its folder, wherever the scan starts.
    writeFileSync(join(root, ".github", "async-doctor.yml"), "");
    writeFileSync(
      join(root, "app", "pyproject.toml"),
      '[tool.async-doctor.pull_requests]\nexclude = ["m.py"]\n',
    );
    const app = await cli(["scan", join(root, "app"), "-f", "json"]);
    expect(files(app.stdout)).toEqual([]);
  });
});
