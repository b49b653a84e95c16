/**
 * Fixture projects through the CLI: each folder under test/fixtures/projects is scanned as a
 * project (manifests, lock files, run configs, code) and must give exactly the findings its
 * EXPECTED file lists, one per line: `<rule> <confidence> <path>:<line> [fix]`, plus `says <phrase>`
 * lines for what the messages must say (where a version or the patch was read from).
 */
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES } from "../helpers.js";

const CLI = new URL("../../dist/cli/index.js", import.meta.url).pathname;
const ROOT = join(FIXTURES, "projects");
const PROJECTS = readdirSync(ROOT).sort();

function scan(dir: string, format: string): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile("node", [CLI, "scan", dir, "--format", format], (err, stdout) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout });
    });
  });
}

interface Json {
  findings: {
    rule: string;
    confidence: string;
    file: string;
    line: number;
    fix?: unknown;
    message: string;
  }[];
}

describe.concurrent("fixture projects", () => {
  it("has at least 12 positive and 6 negative projects", () => {
    const expected = PROJECTS.map((p) => readFileSync(join(ROOT, p, "EXPECTED"), "utf8").trim());
    expect(expected.filter((e) => e !== "").length).toBeGreaterThanOrEqual(12);
    expect(expected.filter((e) => e === "").length).toBeGreaterThanOrEqual(6);
  });

  for (const name of PROJECTS) {
    it(`${name}`, async () => {
      const dir = join(ROOT, name);
      const lines = readFileSync(join(dir, "EXPECTED"), "utf8")
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean);
      // `says <phrase>`: a phrase the findings' messages must contain.
      const says = lines.filter((l) => l.startsWith("says ")).map((l) => l.slice(5));
      const want = lines.filter((l) => !l.startsWith("says ")).sort();
      const r = await scan(dir, "json");
      const out = JSON.parse(r.stdout) as Json;
      const got = out.findings
        .map((f) => `${f.rule} ${f.confidence} ${relative(dir, f.file)}:${f.line}${f.fix ? " fix" : ""}`)
        .sort();
      expect(got).toEqual(want);
      const messages = out.findings.map((f) => f.message).join("\n");
      for (const phrase of says) expect(messages).toContain(phrase);
      expect(r.code).toBe(want.length > 0 ? 1 : 0);
    });
  }

  it("finds the same from inside the project (`.`, `./`) and with a trailing slash", async () => {
    const dir = join(ROOT, "entry-patch-chain-httpx");
    const rules = (stdout: string) =>
      (JSON.parse(stdout) as Json).findings.map((f) => `${f.rule} ${f.line}`).sort();
    const want = rules((await scan(dir, "json")).stdout);
    expect(want.length).toBeGreaterThan(0);
    for (const arg of [".", "./"]) {
      const r = await new Promise<string>((resolve) =>
        execFile("node", [CLI, "scan", arg, "--format", "json"], { cwd: dir }, (_e, stdout) =>
          resolve(stdout),
        ),
      );
      expect(rules(r), arg).toEqual(want);
    }
    expect(rules((await scan(`${dir}/`, "json")).stdout)).toEqual(want);
  });

  it("reports a manifest finding with its file and line in text and SARIF too", async () => {
    const dir = join(ROOT, "requirements-httpcore-escapes");
    const text = await scan(dir, "text");
    // On the trio line, where the fix (uninstalling it) is made.
    expect(text.stdout).toContain("requirements.txt:4");
    expect(text.stdout).toContain("gevent-trio-same-process");
    const sarif = JSON.parse((await scan(dir, "sarif")).stdout) as {
      runs: {
        results: {
          ruleId: string;
          locations: {
            physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
          }[];
        }[];
      }[];
    };
    const result = sarif.runs[0]?.results.find((x) => x.ruleId === "gevent-trio-same-process");
    expect(result?.locations[0]?.physicalLocation.artifactLocation.uri).toMatch(/requirements\.txt$/);
    expect(result?.locations[0]?.physicalLocation.region.startLine).toBe(4);
  });

  it("says where versions and the patch come from, and never offers an httpcore pin as the fix", async () => {
    const dir = join(ROOT, "requirements-httpcore-escapes");
    const out = JSON.parse((await scan(dir, "json")).stdout) as Json;
    const f = out.findings[0];
    expect(f?.message).toContain("`requirements.txt` pins httpcore `1.0.5`");
    expect(f?.message).toContain("gunicorn's gevent worker (`gunicorn.conf.py` line 2)");
    expect(f?.message).toContain("trio ≥ 0.26 would import");
    expect(f?.message).toContain("upgrading httpcore does not help");
    // No httpcore release fixes it (lab case httpcore-1.0.9-macos): no edit is suggested.
    expect(f?.fix).toBeUndefined();
  });
});
