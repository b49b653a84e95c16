import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../../src/cli/main.js";
import { adviceProblems, annotated, type CorpusCase, FIXTURES, readCorpus } from "../helpers.js";

const CLI = new URL("../../dist/cli/index.js", import.meta.url).pathname;

async function cli(
  args: string[],
  input?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile("node", [CLI, ...args], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
    else child.stdin?.end();
  });
}

/**
 * A command line run in this process (the executable is `run` plus the exit status; the tests
 * below that spawn it cover the process side): the whole corpus in seconds, not a minute.
 */
async function inProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await run(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
  });
  return { code, stdout, stderr };
}

/** A corpus case through `triage`, with the repository and maintainers it names. */
function triageCase(c: CorpusCase, format: string) {
  const maintainers = c.maintainers.length > 0 ? ["--maintainers", c.maintainers.join(",")] : [];
  return inProcess([
    "triage",
    join(FIXTURES, "issues", c.name),
    "--format",
    format,
    "--repo",
    c.repo,
    ...maintainers,
  ]);
}

describe("async-doctor triage", () => {
  it("prints each corpus case's expected ids as JSON, with the contract's exit codes", async () => {
    const cases = readCorpus();
    const results = await Promise.all(cases.map((c) => triageCase(c, "json")));
    results.forEach((r, i) => {
      const c = cases[i];
      if (!c) return;
      const out = JSON.parse(r.stdout) as {
        findings: { rule: string; confidence: string; message: string }[];
      };
      expect(out.findings.map((f) => f.rule).sort(), c.name).toEqual([...c.expected].sort());
      for (const f of out.findings) expect(Object.keys(f).sort()).toEqual(["confidence", "message", "rule"]);
      expect(r.code, c.name).toBe(c.expected.length > 0 ? 1 : 0);
    });
  }, 60_000);

  it("renders each positive corpus case's comment with its advice facts (--format markdown)", async () => {
    const cases = readCorpus().filter((c) => c.expected.length > 0);
    const results = await Promise.all(cases.map((c) => triageCase(c, "markdown")));
    results.forEach((r, i) => {
      const c = cases[i];
      if (!c) return;
      expect(r.code, c.name).toBe(1);
      expect(adviceProblems(r.stdout, c), c.name).toEqual([]);
    });
  }, 60_000);

  it("reads stdin with '-' and renders the App's markdown", async () => {
    const r = await cli(
      ["triage", "-", "--format", "markdown"],
      "greenlet.error: cannot switch to a different thread\n",
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("**async-doctor**");
    expect(r.stdout).toContain("[`greenlet-thread-switch`](");
  });

  it("says 'no findings' and exits 0 on a clean text", async () => {
    const r = await cli(["triage", "-"], "All good here.\n");
    expect(r).toMatchObject({ code: 0, stdout: "no findings\n" });
  });

  it("exits 2 with a one-line message on usage and input errors", async () => {
    for (const args of [
      ["triage", "--format", "yaml"],
      ["frobnicate"],
      ["triage", "/does/not/exist"],
      ["scan", "--disable", "no-such-rule"],
      ["triage", "-", "--repo", "not a repo"],
    ]) {
      const r = await cli(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(/^async-doctor: /);
    }
  });
});

describe("async-doctor scan", () => {
  it("finds exactly what the code fixtures expect", async () => {
    const root = join(FIXTURES, "rules");
    const r = await cli(["scan", root, "--format", "json", "--include-tests"]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as {
      findings: { rule: string; file: string; line: number; column: number }[];
    };
    const got = out.findings.map((f) => `${f.file.slice(root.length + 1)}:${f.rule}@${f.line}`).sort();
    const { readdirSync, readFileSync } = await import("node:fs");
    const want: string[] = [];
    for (const dir of readdirSync(root))
      for (const file of readdirSync(join(root, dir)).filter((f) => f.endsWith(".py")))
        for (const a of annotated(readFileSync(join(root, dir, file), "latin1")))
          want.push(`${dir}/${file}:${a}`);
    expect(want.length).toBeGreaterThan(20);
    expect(got).toEqual(want.sort());
  });

  it("writes SARIF 2.1.0 with rules, regions and fingerprints", async () => {
    const r = await cli([
      "scan",
      join(FIXTURES, "rules", "gevent-grpc"),
      "--format",
      "sarif",
      "--include-tests",
    ]);
    const sarif = JSON.parse(r.stdout);
    expect(sarif.version).toBe("2.1.0");
    const run0 = sarif.runs[0];
    expect(run0.tool.driver.name).toBe("async-doctor");
    expect(run0.tool.driver.rules.map((x: { id: string }) => x.id)).toContain("gevent-grpc");
    expect(run0.results.length).toBe(3);
    for (const res of run0.results) {
      expect(res.ruleId).toBe("gevent-grpc");
      expect(res.locations[0].physicalLocation.region.startLine).toBeGreaterThan(0);
      expect(res.partialFingerprints["asyncDoctorFinding/v1"]).toMatch(/^[0-9a-f]{16}$/);
    }
  });

  it("leaves test files out (not even read) unless --include-tests, and says so", async () => {
    const root = mkdtempSync(join(tmpdir(), "ad-scan-tests-"));
    mkdirSync(join(root, "tests"));
    writeFileSync(
      join(root, "tests", "test_late.py"),
      "import requests\nfrom gevent import monkey\nmonkey.patch_all()\n",
    );
    const left = await cli(["scan", root, "--format", "json"]);
    expect(left.code).toBe(0);
    expect(JSON.parse(left.stdout)).toEqual({ test_files_not_analysed: 1, findings: [] });
    expect(left.stderr).toContain("1 test file not analysed (--include-tests analyses them)");
    const all = await cli(["scan", root, "--format", "json", "--include-tests"]);
    expect(all.code).toBe(1);
    expect(JSON.parse(all.stdout).findings.map((f: { rule: string }) => f.rule)).toEqual([
      "gevent-patch-late-ssl",
    ]);
  });

  it("honours the repository's .github/async-doctor.yml, and --config", async () => {
    const root = mkdtempSync(join(tmpdir(), "ad-scan-cfg-"));
    mkdirSync(join(root, ".git"));
    mkdirSync(join(root, ".github"));
    mkdirSync(join(root, "app"));
    writeFileSync(
      join(root, "app", "m.py"),
      "import requests\nfrom gevent import monkey\nmonkey.patch_all()\n",
    );
    expect((await cli(["scan", join(root, "app")])).code).toBe(1);
    writeFileSync(join(root, ".github", "async-doctor.yml"), "rules:\n  gevent-patch-late-ssl: off\n");
    expect((await cli(["scan", join(root, "app")])).code).toBe(0);
    writeFileSync(join(root, "other.yml"), "rules:\n  gevent-patch-late-ssl: on\n");
    expect((await cli(["scan", join(root, "app"), "--config", join(root, "other.yml")])).code).toBe(1);
    writeFileSync(join(root, ".github", "async-doctor.yml"), "rules: [\n");
    const bad = await cli(["scan", join(root, "app")]);
    expect(bad.code).toBe(2); // an invalid settings file stops the run, and says why
    expect(bad.stderr).toContain("not valid YAML");
    expect((await cli(["scan", join(root, "app"), "--config", join(root, "missing.yml")])).code).toBe(2);
  });

  it("skips virtualenvs, node_modules and .git, notes binary files, and exits 0 when clean", async () => {
    const root = mkdtempSync(join(tmpdir(), "ad-scan-"));
    const bad = "import requests\nfrom gevent import monkey\nmonkey.patch_all()\n";
    for (const d of [".venv", "node_modules/x", ".git", "env"]) {
      mkdirSync(join(root, d), { recursive: true });
      writeFileSync(join(root, d, "bad.py"), bad);
    }
    writeFileSync(join(root, "env", "pyvenv.cfg"), "home = /usr\n");
    writeFileSync(join(root, "blob.py"), Buffer.from([0x67, 0x65, 0x76, 0x65, 0x6e, 0x74, 0, 1, 2]));
    writeFileSync(join(root, "ok.py"), "import os\n");
    const r = await cli(["scan", root]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("blob.py: binary content");
    expect(r.stdout).toContain("no findings; 2 files scanned, 0 parsed");
  });
});

describe("parallel scan", () => {
  it("spreads a large parse load over worker threads and finds the same as one thread", async () => {
    const root = mkdtempSync(join(tmpdir(), "ad-pool-"));
    const body = `${"def f(x):\n    return [y for y in range(x)]\n\n".repeat(900)}`;
    for (let i = 0; i < 80; i++) {
      writeFileSync(
        join(root, `m${i}.py`),
        `import requests\nfrom gevent import monkey\nmonkey.patch_all()\n${body}`,
      );
    }
    const r = await cli(["scan", root, "--format", "json", "--include-tests"]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { findings: { rule: string; line: number }[] };
    expect(out.findings).toHaveLength(80);
    expect(new Set(out.findings.map((f) => `${f.rule}@${f.line}`))).toEqual(
      new Set(["gevent-patch-late-ssl@3"]),
    );
  }, 60_000);
});

describe("bounded and quiet under hostile input", () => {
  it("a reader that closes the pipe ends the CLI quietly with status 0", async () => {
    const { spawn } = await import("node:child_process");
    for (const args of [
      ["rules"],
      ["rule", "gevent-grpc"],
      ["scan", FIXTURES, "-f", "sarif", "--include-tests"],
    ]) {
      const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
      child.stdout.destroy(); // the reader is gone before the first write
      let err = "";
      child.stderr.on("data", (d) => {
        err += d;
      });
      const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
      expect({ args, code, err }).toEqual({ args, code: 0, err: "" });
    }
  });

  it("a generated file with a finding on every line: no crash, the first 200 listed, the rest said", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ad-gen-"));
    const line = 'c = mysql.connector.connect(user="u")\n';
    writeFileSync(
      join(dir, "gen.py"),
      `from gevent import monkey\nmonkey.patch_all()\nimport mysql.connector\n${line.repeat(100_000)}`,
    );
    writeFileSync(join(dir, "huge.py"), `import trio\n${"x = 1\n".repeat(800_000)}`);
    // The executable: a tree this size goes to the worker threads.
    const out = await cli(["scan", dir, "-f", "json"]);
    const code = out.code;
    const report = JSON.parse(out.stdout) as { findings: { line: number }[] };
    expect(code).toBe(1);
    expect(report.findings).toHaveLength(200);
    expect(report.findings[0]?.line).toBe(4);
    expect(out.stderr).toContain("more than 200 findings: the first 200 (by line) are listed");
    expect(out.stderr).toContain("huge.py: larger than 4 MiB");
  }, 60_000);
});
