/**
 * The pre-commit hooks through real pre-commit (Debian's package), as a Python team adds them:
 * `repo:` is a git repository holding this working tree, pre-commit installs it with npm
 * (offline: from the cache the checkout's own install filled) and runs both hooks on a project.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES } from "../helpers.js";

const ROOT = new URL("../../", import.meta.url).pathname;
const available = spawnSync("pre-commit", ["--version"]).status === 0;
const required = process.env.ASYNC_DOCTOR_REQUIRE_PRECOMMIT === "1";
if (!available && !required) console.warn("pre-commit test skipped: Debian's pre-commit is not installed");

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.email=ci@example.com", "-c", "user.name=ci", ...args], {
    cwd,
    encoding: "utf8",
  }).trim();

/** A repository holding the working tree as it is (tracked and new files, nothing ignored). */
function hooksRepository(at: string): string {
  const files = git(ROOT, "ls-files", "-co", "--exclude-standard", "-z").split("\0").filter(Boolean);
  for (const f of files) {
    mkdirSync(join(at, dirname(f)), { recursive: true });
    try {
      cpSync(join(ROOT, f), join(at, f));
    } catch {
      // a file deleted from the working tree but still tracked
    }
  }
  git(at, "init", "-q");
  git(at, "add", "-A");
  git(at, "commit", "-qm", "hooks");
  return git(at, "rev-parse", "HEAD");
}

describe.skipIf(!available && !required)("pre-commit (the real one)", () => {
  it("installs the hooks offline and runs both on a project", () => {
    const tmp = mkdtempSync(join(tmpdir(), "ad-pre-commit-"));
    const hooks = join(tmp, "hooks");
    const rev = hooksRepository(hooks);
    const project = join(tmp, "project");
    cpSync(join(FIXTURES, "projects", "entry-patch-chain-httpx"), project, { recursive: true });
    mkdirSync(join(project, "svc"));
    writeFileSync(
      join(project, "svc", "late.py"),
      "import requests\nfrom gevent import monkey\nmonkey.patch_all()\n",
    );
    writeFileSync(
      join(project, ".pre-commit-config.yaml"),
      `repos:\n  - repo: ${hooks}\n    rev: ${rev}\n    hooks:\n      - id: async-doctor\n      - id: async-doctor-project\n`,
    );
    git(project, "init", "-q");
    git(project, "add", "-A");
    git(project, "commit", "-qm", "project");
    const r = spawnSync("pre-commit", ["run", "--all-files"], {
      cwd: project,
      encoding: "utf8",
      env: { ...process.env, PRE_COMMIT_HOME: join(tmp, "cache"), npm_config_offline: "true" },
      timeout: 240_000,
    });
    const out = `${r.stdout}${r.stderr}`;
    // Installed (npm pack's output was the tarball's name alone), then both hooks found something.
    expect(out, out).not.toContain("An unexpected error has occurred");
    expect(out).toMatch(/^async-doctor\.+Failed$/m);
    expect(out).toMatch(/^async-doctor \(dependencies and run configs\)\.+Failed$/m);
    expect(out).toContain("svc/late.py:3:1: gevent-patch-late-ssl (high)");
    expect(out).toContain("requirements.txt:4:1: gevent-trio-same-process (high)");
    expect(r.status).toBe(1);
  }, 300_000);
});
