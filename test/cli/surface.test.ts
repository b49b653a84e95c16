/** The command line as a user meets it: help, rule pages, flags, settings, filters, CI output. */
import { chmodSync, cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RULE_IDS } from "../../src/diagnosis/catalog.js";
import { FIXTURES } from "../helpers.js";
import { cli } from "./run.js";

// CommonJS validators (ajv for JSON Schema draft 04, which the SARIF schema uses).
const require = createRequire(import.meta.url);
type Validate = ((data: unknown) => boolean) & { errors?: unknown[] | null };
const Ajv = require("ajv-draft-04") as new (o: object) => { compile(schema: object): Validate };
const addFormats = require("ajv-formats") as (ajv: object) => void;

const LATE = "import requests\nfrom gevent import monkey\nmonkey.patch_all()\n";

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "ad-cli-"));
  mkdirSync(join(root, ".git"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const json = async (args: string[], opts = {}) => {
  const r = await cli([...args, "-f", "json"], opts);
  return { ...r, files: (JSON.parse(r.stdout).findings as { file: string }[]).map((f) => f.file) };
};

describe("help and rules", () => {
  it("explains every command and option, and rejects unknown ones with a one-line reason", async () => {
    const main = await cli(["--help"]);
    expect(main.code).toBe(0);
    for (const c of ["scan", "triage", "rules", "rule"]) expect(main.stdout).toContain(`  ${c} `);
    const scan = await cli(["scan", "--help"]);
    expect(scan.code).toBe(0);
    for (const o of [
      "-f, --format",
      "-c, --config",
      "--exclude GLOB",
      "--exit-zero",
      "--fail-on",
      "--no-gitignore",
      "--report-unused-ignores",
      "--include-tests",
      "--disable",
    ])
      expect(scan.stdout).toContain(o);
    const triage = await cli(["triage", "-h"]);
    for (const o of ["--repo OWNER/NAME", "--maintainers", "markdown"]) expect(triage.stdout).toContain(o);
    const bad = await cli(["scan", "--frobnicate"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toContain("--frobnicate");
    expect((await cli(["scan", "-f", "xml"])).stderr).toContain(
      "unknown format 'xml' (formats: text, json, sarif, github)",
    );
  });

  it("lists the rules and prints one rule's page; an unknown id lists the valid ones", async () => {
    const list = await cli(["rules", "-f", "json"]);
    const rules = JSON.parse(list.stdout) as { id: string; kinds: string[]; summary: string }[];
    expect(rules.map((r) => r.id)).toEqual([...RULE_IDS]);
    for (const r of rules) expect(r.summary.length).toBeGreaterThan(10);
    const text = await cli(["rules"]);
    expect(text.stdout.trim().split("\n")).toHaveLength(RULE_IDS.length);
    const page = await cli(["rule", "gevent-patch-late-ssl"]);
    expect(page.code).toBe(0);
    expect(page.stdout).toMatch(/^# gevent-patch-late-ssl\n/);
    expect(page.stdout).toContain("## How to fix it");
    for (const args of [
      ["rule", "no-such-rule"],
      ["scan", ".", "--disable", "no-such-rule"],
    ]) {
      const r = await cli(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("unknown rule 'no-such-rule'; the rules are: ");
      expect(r.stderr).toContain("trio-nested-run");
    }
  });
});

describe("exit codes and output", () => {
  it("--exit-zero and --fail-on decide the status, not the output", async () => {
    const root = tree({ "app/m.py": LATE });
    expect((await cli(["scan", root])).code).toBe(1);
    expect((await cli(["scan", root, "--exit-zero"])).code).toBe(0);
    expect((await cli(["scan", root, "--fail-on", "never"])).code).toBe(0);
    const high = await cli(["scan", root, "--fail-on", "high"]);
    expect(high.stdout).toContain("(high)");
    expect(high.code).toBe(1);
    expect((await cli(["scan", root, "--fail-on", "sometimes"])).code).toBe(2);
  });

  it("colours only a terminal (FORCE_COLOR stands in for one) and never with NO_COLOR", async () => {
    const root = tree({ "m.py": LATE });
    expect((await cli(["scan", root])).stdout).not.toContain("\u001b[");
    expect((await cli(["scan", root], { env: { FORCE_COLOR: "1" } })).stdout).toContain("\u001b[1m");
    expect((await cli(["scan", root], { env: { FORCE_COLOR: "1", NO_COLOR: "1" } })).stdout).not.toContain(
      "\u001b[",
    );
  });

  it("prints GitHub workflow commands with escaped properties for --format github", async () => {
    const root = tree({ "we,ird:name.py": LATE, "ok.py": "import os\n" });
    const r = await cli(["scan", "."], { cwd: root, env: {} });
    const gh = await cli(["scan", ".", "-f", "github"], { cwd: root });
    expect(r.code).toBe(1);
    expect(gh.code).toBe(1);
    expect(gh.stdout.trim().split("\n")).toEqual([
      expect.stringMatching(
        /^::warning file=we%2Cird%3Aname\.py,line=3,endLine=3,col=\d+,endColumn=\d+,title=gevent-patch-late-ssl::.+/,
      ),
    ]);
  });

  it("says once per path what it could not read, and notes when nothing was analysed", async () => {
    const root = tree({ "docs/readme.md": "hi\n" });
    const empty = await cli(["scan", root]);
    expect(empty.code).toBe(0);
    expect(empty.stderr).toContain("no Python file was analysed");
    mkdirSync(join(root, "locked"));
    writeFileSync(join(root, "locked", "m.py"), LATE);
    chmodSync(join(root, "locked"), 0);
    writeFileSync(join(root, "blob.py"), Buffer.from([0x67, 0x65, 0x76, 0x65, 0x6e, 0x74, 0, 1, 2]));
    const r = await cli(["scan", root, join(root, "blob.py")]);
    chmodSync(join(root, "locked"), 0o755);
    const lines = r.stderr
      .trim()
      .split("\n")
      .filter((l) => l.includes("skipped"));
    expect(lines.filter((l) => l.includes("blob.py"))).toHaveLength(1);
    if (process.getuid?.() !== 0) expect(lines.filter((l) => l.includes("/locked:"))).toHaveLength(1);
    // A path that does not exist is a usage error (exit 2), said once, with nothing scanned.
    const none = await cli(["scan", root, join(root, "missing.py"), join(root, "gone")]);
    expect(none.code).toBe(2);
    expect(none.stderr.split("\n").filter((l) => l.includes("missing.py"))).toHaveLength(1);
  });

  it("triage --format markdown with nothing found says so on stderr and prints nothing", async () => {
    const r = await cli(["triage", "-", "-f", "markdown"], { input: "The docs have a typo.\n" });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toEqual(["async-doctor: nothing found: the App would not comment"]);
  });
});

describe("one configuration for the CLI and the App", () => {
  it("reads [tool.async-doctor] from pyproject.toml; .github/async-doctor.yml wins; --config takes either", async () => {
    const root = tree({
      "app/m.py": LATE,
      "pyproject.toml": '[project]\nname = "x"\n\n[tool.async-doctor.rules]\ngevent-patch-late-ssl = "off"\n',
    });
    expect((await cli(["scan", root])).code).toBe(0);
    writeFileSync(join(root, "on.toml"), '[tool.async-doctor]\nrules = { gevent-patch-late-ssl = "on" }\n');
    expect((await cli(["scan", root, "-c", join(root, "on.toml")])).code).toBe(1);
    mkdirSync(join(root, ".github"));
    writeFileSync(join(root, ".github", "async-doctor.yml"), "rules:\n  gevent-patch-late-ssl: on\n");
    expect((await cli(["scan", root])).code).toBe(1);
    writeFileSync(join(root, "bad.toml"), '[tool.async-doctor]\nrules = { nope = "off" }\n');
    const bad = await cli(["scan", root, "-c", join(root, "bad.toml")]);
    expect(bad.code).toBe(2); // an invalid settings file stops the run, and says why
    expect(bad.stderr).toContain("rules");
    writeFileSync(join(root, "none.toml"), '[project]\nname = "x"\n');
    expect((await cli(["scan", root, "-c", join(root, "none.toml")])).stderr).toContain(
      "no [tool.async-doctor] table",
    );
  });

  it("leaves out what .gitignore ignores, the config's excludes and --exclude; includes narrow the files", async () => {
    const root = tree({
      "app/m.py": LATE,
      "build/gen.py": LATE,
      "vendor/lib.py": LATE,
      "scripts/tool.py": LATE,
      "pkg/sub/.gitignore": "generated_*.py\n",
      "pkg/sub/generated_x.py": LATE,
      ".gitignore": "build/\n",
    });
    const all = await json(["scan", root, "--no-gitignore"]);
    expect(all.files.map((f) => f.slice(root.length + 1)).sort()).toEqual([
      "app/m.py",
      "build/gen.py",
      "pkg/sub/generated_x.py",
      "scripts/tool.py",
      "vendor/lib.py",
    ]);
    const ignored = await json(["scan", root, "--exclude", "vendor/**", "--exclude", "{scripts,tools}/*.py"]);
    expect(ignored.files.map((f) => f.slice(root.length + 1))).toEqual(["app/m.py"]);
    mkdirSync(join(root, ".github"));
    writeFileSync(
      join(root, ".github", "async-doctor.yml"),
      "pull_requests:\n  include: ['{app,vendor}/**/*.py']\n  exclude: ['vendor/**']\n",
    );
    expect((await json(["scan", root])).files.map((f) => f.slice(root.length + 1))).toEqual(["app/m.py"]);
    // File names as pre-commit passes them (relative to the repository root) obey the excludes too.
    const named = await json(["scan", "app/m.py", "vendor/lib.py"], { cwd: root });
    expect(named.files).toEqual(["app/m.py"]);
  });
});

describe("SARIF for code scanning", () => {
  it("validates against the SARIF 2.1.0 schema, with full rule metadata, relative URIs and skipped files", async () => {
    const schema = (await import("../fixtures/sarif/sarif-schema-2.1.0.json", { with: { type: "json" } }))
      .default;
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const fixture = mkdtempSync(join(tmpdir(), "ad-sarif-"));
    cpSync(join(FIXTURES, "projects", "entry-patch-chain-httpx"), fixture, { recursive: true });
    // A file it cannot read as Python: listed in the run's notifications.
    writeFileSync(join(fixture, "nope.py"), Buffer.from([0x67, 0x65, 0x76, 0x65, 0x6e, 0x74, 0, 1, 2]));
    const r = await cli(["scan", fixture, "-f", "sarif"], { cwd: fixture });
    const sarif = JSON.parse(r.stdout);
    expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
    const run = sarif.runs[0];
    expect(run.originalUriBaseIds["%SRCROOT%"].uri).toMatch(/^file:\/\/\/.*\/$/);
    for (const rule of run.tool.driver.rules) {
      expect(rule.shortDescription.text.length).toBeGreaterThan(5);
      expect(rule.fullDescription.text.length).toBeGreaterThan(20);
      expect(rule.help.markdown).toContain(`# ${rule.id}`);
      expect(rule.help.text.length).toBeGreaterThan(50);
      expect(["high", "medium"]).toContain(rule.properties.precision);
      expect(["warning", "recommendation"]).toContain(rule.properties["problem.severity"]);
      expect(rule.properties.tags).toContain("python");
    }
    const uris = run.results.map(
      (x: { locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId: string } } }[] }) =>
        x.locations[0]?.physicalLocation.artifactLocation,
    );
    expect(uris.length).toBeGreaterThan(0);
    for (const u of uris) {
      expect(u.uriBaseId).toBe("%SRCROOT%");
      expect(u.uri.startsWith("/")).toBe(false);
    }
    expect(uris.map((u: { uri: string }) => u.uri)).toContain("requirements.txt");
    for (const res of run.results) expect(run.tool.driver.rules[res.ruleIndex].id).toBe(res.ruleId);
    const notes = run.invocations[0].toolExecutionNotifications;
    expect(notes).toHaveLength(1);
    expect(notes[0].message.text).toContain("binary");
    expect(notes[0].locations[0].physicalLocation.artifactLocation).toEqual({
      uri: "nope.py",
      uriBaseId: "%SRCROOT%",
    });
  });
});

describe("suppressions", () => {
  it("ignore-file silences a rule in the whole file; --report-unused-ignores lists the comments that silence nothing", async () => {
    const root = tree({
      "a.py": `# async-doctor: ignore-file[gevent-patch-late-ssl]\n${LATE}`,
      "b.py": `${LATE.replace("patch_all()", "patch_all()  # async-doctor: ignore[gevent-patch-late-ssl]")}`,
      "c.py": `import os  # async-doctor: ignore[gevent-patch-late-ssl]\n# async-doctor: ignore-file[no-such-rule]\n`,
      "d.py": `# async-doctor: ignore-file\n${LATE}`,
      "e.py": `import requests\nfrom gevent import monkey\nmonkey.patch_all()  # async-doctor: ignore[trio-nested-run]\n`,
    });
    const plain = await json(["scan", root]);
    expect(plain.files.map((f) => f.slice(root.length + 1))).toEqual(["e.py"]);
    expect(plain.code).toBe(1);
    const r = await cli(["scan", root, "-f", "json", "--report-unused-ignores"]);
    const out = JSON.parse(r.stdout) as {
      unused_ignores: { file: string; line: number; rule: string; reason: string }[];
    };
    expect(
      out.unused_ignores.map((u) => `${u.file.slice(root.length + 1)}:${u.line}:${u.rule}:${u.reason}`),
    ).toEqual([
      "c.py:1:gevent-patch-late-ssl:unused",
      "c.py:2:no-such-rule:unknown rule",
      "e.py:3:trio-nested-run:unused",
    ]);
    const clean = tree({ "c.py": "import os  # async-doctor: ignore[gevent-patch-late-ssl]\n" });
    expect((await cli(["scan", clean])).code).toBe(0);
    const text = await cli(["scan", clean, "--report-unused-ignores"]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(
      "c.py:1:1: unused-ignore `# async-doctor: ignore[gevent-patch-late-ssl]` silences nothing",
    );
    expect((await cli(["scan", clean, "--report-unused-ignores", "--fail-on", "high"])).code).toBe(0);
  });
});
