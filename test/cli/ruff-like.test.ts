/**
 * What a ruff or Semgrep user reaches for: --fix / --diff (round trips on every rule whose
 * findings carry an exact edit), standard input, --select, --output-file, --statistics, --quiet,
 * --baseline; triage's text shows the fixes; a file named alone gets its project's context.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES } from "../helpers.js";
import { CLI, cli } from "./run.js";

interface JsonFinding {
  rule: string;
  file: string;
  line: number;
  fingerprint: string;
  fix?: { startLine: number; endLine: number; text: string; relock?: string };
}
const findingsOf = (out: string) => JSON.parse(out).findings as JsonFinding[];

/** Every fixture project and rule fixture as a folder of its own, in a temporary copy. */
function fixtureCopies(): string[] {
  const out: string[] = [];
  for (const p of readdirSync(join(FIXTURES, "projects"))) {
    const dir = mkdtempSync(join(tmpdir(), `ad-fix-${p}-`));
    cpSync(join(FIXTURES, "projects", p), dir, { recursive: true });
    out.push(dir);
  }
  for (const rule of readdirSync(join(FIXTURES, "rules")))
    for (const f of readdirSync(join(FIXTURES, "rules", rule)).filter((n) => n.startsWith("code-pos-"))) {
      const dir = mkdtempSync(join(tmpdir(), `ad-fix-${rule}-`));
      cpSync(join(FIXTURES, "rules", rule, f), join(dir, f));
      out.push(dir);
    }
  return out;
}

describe("--fix and --diff", () => {
  it("round-trip on every rule with an exact fix: the diff applies with git, --fix writes the same, and the finding is gone", async () => {
    const rules = new Set<string>();
    for (const dir of fixtureCopies()) {
      const before = await cli(["scan", ".", "-f", "json", "--include-tests"], { cwd: dir });
      const fixable = findingsOf(before.stdout).filter((f) => f.fix);
      if (fixable.length === 0) continue;
      for (const f of fixable) rules.add(f.rule);
      // The diff: exit 1, applies cleanly to a copy with git.
      const diff = await cli(["scan", ".", "--diff", "--include-tests"], { cwd: dir });
      expect(diff.code, diff.stderr).toBe(1);
      const copy = mkdtempSync(join(tmpdir(), "ad-fix-copy-"));
      cpSync(dir, copy, { recursive: true });
      execFileSync("git", ["init", "-q"], { cwd: copy });
      const applied = spawnSync("git", ["apply", "-"], { cwd: copy, input: diff.stdout, encoding: "utf8" });
      expect(applied.status, `${dir}\n${diff.stdout}\n${applied.stderr}`).toBe(0);
      // --fix: the same files, and the fixed findings are not found again.
      const fixed = await cli(["scan", ".", "--fix", "-f", "json", "--include-tests"], { cwd: dir });
      // A version read from a lock file stays until the project re-locks (the edit raised the pin).
      const locked = (f: JsonFinding) => f.fix?.relock !== undefined;
      const settled = fixable.filter((f) => !locked(f)).length;
      if (settled > 0)
        expect(fixed.stderr).toContain(`fixed ${settled === 1 ? "1 finding" : `${settled} findings`}`);
      if (settled < fixable.length) expect(fixed.stderr).toContain("re-lock");
      for (const f of new Set(fixable.map((x) => x.file)))
        expect(readFileSync(join(dir, f), "utf8"), f).toBe(readFileSync(join(copy, f), "utf8"));
      const again = await cli(["scan", ".", "-f", "json", "--include-tests"], { cwd: dir });
      const left = findingsOf(again.stdout)
        .filter((f) => !locked(f))
        .map((f) => `${f.rule} ${f.file}`);
      for (const f of fixable) expect(left, dir).not.toContain(`${f.rule} ${f.file}`);
      // Nothing left to fix: --diff is empty and exits 0.
      expect((await cli(["scan", ".", "--diff", "--include-tests"], { cwd: dir })).code).toBe(0);
    }
    expect([...rules].sort()).toEqual(
      expect.arrayContaining(["mysql-cext-under-gevent", "trio-import-unguarded"]),
    );
    expect(rules.size).toBeGreaterThanOrEqual(4);
  }, 180_000);

  it("two edits far apart in one file: two hunks, with the line numbers git checks", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ad-hunks-"));
    const connect = 'mysql.connector.connect(user="u")';
    const filler = Array.from({ length: 12 }, (_, i) => `x${i} = ${i}`).join("\n");
    const src = `from gevent import monkey\nmonkey.patch_all()\nimport mysql.connector\n\na = ${connect}\n${filler}\nb = ${connect}\n`;
    writeFileSync(join(dir, "db.py"), src);
    const diff = await cli(["scan", "db.py", "--diff"], { cwd: dir });
    expect(diff.stdout.match(/^@@ /gm)).toHaveLength(2);
    expect(diff.stdout).toContain("@@ -2,7 +2,7 @@");
    expect(diff.stdout).toContain("@@ -15,4 +15,4 @@");
    execFileSync("git", ["init", "-q"], { cwd: dir });
    const applied = spawnSync("git", ["apply", "-"], { cwd: dir, input: diff.stdout, encoding: "utf8" });
    expect(applied.status, applied.stderr).toBe(0);
    expect(readFileSync(join(dir, "db.py"), "utf8").match(/use_pure=True/g)).toHaveLength(2);
  });

  it("keeps CRLF line endings, and refuses --fix with --diff or standard input", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ad-crlf-"));
    const src =
      'from gevent import monkey\r\nmonkey.patch_all()\r\nimport mysql.connector\r\n\r\ncnx = mysql.connector.connect(user="u")\r\n';
    writeFileSync(join(dir, "db.py"), src);
    const r = await cli(["scan", "db.py", "--fix"], { cwd: dir });
    expect(r.code).toBe(0);
    const after = readFileSync(join(dir, "db.py"), "utf8");
    expect(after).toContain('connect(user="u", use_pure=True)\r\n');
    expect(after.replace(/\r\n/g, "").includes("\n")).toBe(false);
    expect((await cli(["scan", "db.py", "--fix", "--diff"], { cwd: dir })).code).toBe(2);
    expect((await cli(["scan", "-", "--fix"], { cwd: dir, input: src })).code).toBe(2);
  });
});

describe("standard input, --select, --output-file, --statistics, --quiet, --baseline", () => {
  const project = () => {
    const dir = mkdtempSync(join(tmpdir(), "ad-ruffish-"));
    cpSync(join(FIXTURES, "projects", "entry-patch-chain-httpx"), dir, { recursive: true });
    return dir;
  };
  const late = "from gevent import monkey\nmonkey.patch_all()\n\nimport httpx\n";

  it("scan - reads standard input; --stdin-filename places it in its project (the pins apply)", async () => {
    const dir = project();
    const named = await cli(["scan", "-", "--stdin-filename", "svc/new.py", "-f", "json"], {
      cwd: dir,
      input: late,
    });
    expect(named.code).toBe(1);
    expect(findingsOf(named.stdout).map((f) => `${f.rule} ${f.file}:${f.line}`)).toEqual([
      "gevent-trio-same-process svc/new.py:4",
    ]);
    const plain = await cli(["scan", "-"], { cwd: tmpdir(), input: "import os\n" });
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain("no findings; 1 file scanned");
  });

  it("a file named alone reads its project's manifests and run configs, but reports no manifest line", async () => {
    const dir = project();
    writeFileSync(join(dir, "late.py"), late);
    const r = await cli(["scan", "late.py", "-f", "json"], { cwd: dir });
    expect(findingsOf(r.stdout).map((f) => `${f.rule} ${f.file}:${f.line}`)).toEqual([
      "gevent-trio-same-process late.py:4",
    ]);
    // From elsewhere, by absolute path: the same project.
    const abs = await cli(["scan", join(dir, "late.py"), "-f", "json"], { cwd: tmpdir() });
    expect(findingsOf(abs.stdout)).toHaveLength(1);
  });

  it("--select runs only the rules named; an unknown one is exit 2", async () => {
    const dir = project();
    writeFileSync(join(dir, "late.py"), `import requests\n${late}`);
    const all = findingsOf((await cli(["scan", ".", "-f", "json"], { cwd: dir })).stdout).map((f) => f.rule);
    expect(new Set(all).size).toBeGreaterThan(1);
    const one = await cli(["scan", ".", "-f", "json", "--select", "gevent-patch-late-ssl"], { cwd: dir });
    expect(new Set(findingsOf(one.stdout).map((f) => f.rule))).toEqual(new Set(["gevent-patch-late-ssl"]));
    const bad = await cli(["scan", ".", "--select", "no-such-rule"], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown rule 'no-such-rule'");
  });

  it("--output-file writes SARIF while the terminal gets text; --statistics counts; --quiet drops the summary", async () => {
    const dir = project();
    const r = await cli(["scan", ".", "-f", "sarif", "-o", "out.sarif"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(JSON.parse(readFileSync(join(dir, "out.sarif"), "utf8")).version).toBe("2.1.0");
    expect(r.stdout).toContain("requirements.txt:4:1: gevent-trio-same-process (high)");
    const stats = await cli(["scan", ".", "--statistics"], { cwd: dir });
    expect(stats.stdout.split("\n")[0]).toMatch(/^\d+ {2}gevent-trio-same-process$/);
    expect(stats.stdout).toContain("in all");
    const quiet = await cli(["scan", ".", "-q"], { cwd: dir });
    expect(quiet.stdout).not.toContain("scanned");
    expect(quiet.stdout).toContain("gevent-trio-same-process");
    const bad = await cli(["scan", ".", "-o", join(dir, "no", "such", "dir", "x.json")], { cwd: dir });
    expect(bad.code).toBe(2);
  });

  it("--baseline reports only what the earlier run did not find, even after lines move", async () => {
    const dir = project();
    const first = await cli(["scan", ".", "-f", "json"], { cwd: dir });
    writeFileSync(join(dir, "baseline.json"), first.stdout);
    expect((await cli(["scan", ".", "--baseline", "baseline.json"], { cwd: dir })).code).toBe(0);
    // Lines move (a comment on top of every file) and one new finding comes.
    for (const f of ["worker.py", "jobs.py", "clients.py"])
      writeFileSync(join(dir, f), `# moved\n${readFileSync(join(dir, f), "utf8")}`);
    writeFileSync(join(dir, "late.py"), `import requests\n${late}`);
    const r = await cli(["scan", ".", "-f", "json", "--baseline", "baseline.json"], { cwd: dir });
    expect(new Set(findingsOf(r.stdout).map((f) => f.file))).toEqual(new Set(["late.py"]));
    expect(r.stderr).toContain("in the baseline left out");
    writeFileSync(join(dir, "bad.json"), "[1, 2]");
    expect((await cli(["scan", ".", "--baseline", "bad.json"], { cwd: dir })).code).toBe(2);
  });
});

describe("triage on the command line", () => {
  it("the text format shows the fixes, best first", async () => {
    const r = await cli(["triage", join(FIXTURES, "issues", "001-trio-3119-mysql-gevent-macos.md")]);
    expect(r.stdout).toMatch(/^ {2}fix: .+pip uninstall trio/m);
    expect(r.stdout).toMatch(/^ {2}or: /m);
  });

  it("with no input on a terminal, says how to use it instead of waiting", () => {
    const r = spawnSync("script", ["-qc", `node ${CLI} triage`, "/dev/null"], {
      encoding: "utf8",
      timeout: 20_000,
      input: "",
    });
    expect(r.stdout).toContain("triage reads an issue text");
  });
});
