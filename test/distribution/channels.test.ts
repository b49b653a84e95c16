/**
 * The ways a Python team meets the tool outside this checkout: the packed npm package installed
 * into an empty folder, the GitHub Action's steps run locally as a runner would, and the
 * pre-commit hooks' entries run with file names as pre-commit passes them.
 */
import { execFile, execFileSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { FIXTURES } from "../helpers.js";

const ROOT = new URL("../../", import.meta.url).pathname;
const LATE = "import requests\nfrom gevent import monkey\nmonkey.patch_all()\n";
const work = mkdtempSync(join(tmpdir(), "ad-dist-"));
let tarball = "";
const runnerTemp = mkdtempSync(join(tmpdir(), "ad-runner-"));
let bin = "";
let installWarnings = "";

/** The environment without what a GitHub runner would set (the action's steps get their own). */
function withoutGitHub(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env))
    if (
      v !== undefined &&
      !k.startsWith("GITHUB_") &&
      !k.startsWith("RUNNER_") &&
      !k.startsWith("INPUT_") &&
      k !== "NO_COLOR" &&
      k !== "FORCE_COLOR"
    )
      out[k] = v;
  return out;
}

function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      {
        cwd: opts.cwd ?? work,
        // The machine's own settings (certificates, proxies) reach npm; nothing of the runner's.
        env: { ...withoutGitHub(process.env), ...(opts.env ?? {}) },
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A small project outside the checkout: a patched entry point, a late import, pinned versions. */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "ad-project-"));
  cpSync(join(FIXTURES, "projects", "entry-patch-chain-httpx"), dir, { recursive: true });
  mkdirSync(join(dir, "svc"));
  writeFileSync(join(dir, "svc", "late.py"), LATE);
  writeFileSync(join(dir, "svc", "stub.pyi"), "def f() -> None: ...\n");
  return dir;
}

beforeAll(async () => {
  // `npm pack` of the dist/ that `npm test` has just built (with --ignore-scripts: rebuilding here
  // would rewrite dist/ under the other test files' feet), then an install with no dev dependencies.
  expect(existsSync(join(ROOT, "dist", "bundle", "async-doctor.js")), "run `npm run build` first").toBe(true);
  const packed = JSON.parse(
    execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", work], {
      cwd: ROOT,
      encoding: "utf8",
    }),
  ) as { filename: string; size: number; files: { path: string }[] }[];
  const info = packed[0] as (typeof packed)[number];
  tarball = join(work, info.filename);
  const paths = info.files.map((f) => f.path);
  // The command line only: one bundle, its two WebAssembly files, the licences; no App, no maps.
  expect(paths).toContain("dist/bundle/async-doctor.js");
  expect(paths).toContain("dist/bundle/scan-worker.js");
  expect(paths).toContain("dist/bundle/tree-sitter-python.wasm");
  expect(paths).toContain("dist/bundle/web-tree-sitter.wasm");
  expect(paths).toContain("dist/bundle/THIRD_PARTY_LICENSES.txt");
  const others = ["package.json", "README.md", "LICENSE"];
  expect(paths.filter((p) => !p.startsWith("dist/bundle/") && !others.includes(p))).toEqual([]);
  expect(paths.filter((p) => p.endsWith(".map"))).toEqual([]);
  process.stdout.write(
    `packed ${info.filename}: ${(info.size / 1024).toFixed(0)} KiB, ${paths.length} files\n`,
  );
  const consumer = join(work, "consumer");
  mkdirSync(consumer);
  const install = await run(
    "npm",
    ["install", "--no-audit", "--no-fund", "--prefer-offline", "--omit=dev", tarball],
    { cwd: consumer },
  );
  expect(install.code, install.stderr).toBe(0);
  installWarnings = install.stderr;
  bin = join(consumer, "node_modules", ".bin", "async-doctor");
}, 240_000);

describe("the npm package", () => {
  it("installs into an empty folder and scans a tree outside the checkout", async () => {
    // Nothing but the package itself is installed: no App, no dependencies.
    const installed = readdirSync(join(work, "consumer", "node_modules")).filter((n) => !n.startsWith("."));
    expect(installed).toEqual(["async-doctor"]);
    // It runs nothing at install: no lifecycle script for npm to ask its users to approve.
    const manifest = JSON.parse(
      readFileSync(join(work, "consumer", "node_modules", "async-doctor", "package.json"), "utf8"),
    ) as { scripts?: Record<string, string> };
    const installScripts = ["preinstall", "install", "postinstall", "prepare"];
    expect(Object.keys(manifest.scripts ?? {}).filter((k) => installScripts.includes(k))).toEqual([]);
    expect(installWarnings).not.toMatch(/install-scripts|allowScripts/);
    const version = await run(bin, ["--version"]);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version);
    const dir = project();
    const r = await run(bin, ["scan", ".", "-f", "json"], { cwd: dir });
    expect(r.code).toBe(1);
    const rules = (JSON.parse(r.stdout).findings as { rule: string; file: string }[]).map(
      (f) => `${f.rule} ${f.file}`,
    );
    expect(rules).toContain("gevent-trio-same-process requirements.txt");
    expect(rules).toContain("gevent-patch-late-ssl svc/late.py");
  });
});

type Step = {
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
};

/** Runs a composite action's `run` steps as a runner would; `uses` steps are recorded, not run. */
async function runAction(
  inputs: Record<string, string>,
  cwd: string,
  /** The action's checkout (default: this one) and what the runner's environment adds. */
  opts: { actionPath?: string; env?: Record<string, string>; runnerTemp?: string } = {},
) {
  const actionPath = opts.actionPath ?? ROOT;
  const action = parse(readFileSync(join(actionPath, "action.yml"), "utf8")) as {
    inputs: Record<string, { default?: string }>;
    runs: { using: string; steps: Step[] };
  };
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(action.inputs)) values[k] = inputs[k] ?? String(v.default ?? "");
  const outputs: Record<string, Record<string, string>> = {};
  const expr = (e: string): string => {
    const [scope, a, b, c] = e.trim().split(".");
    if (scope === "inputs") return values[a as string] ?? "";
    if (scope === "steps" && b === "outputs") return outputs[a as string]?.[c as string] ?? "";
    throw new Error(`unsupported expression ${e}`);
  };
  const subst = (s: string) => s.replace(/\$\{\{([^}]*)\}\}/g, (_m, e: string) => expr(e));
  const condition = (c: string) => {
    const m = /^(.+?)\s*(==|!=)\s*'([^']*)'$/.exec(c.trim());
    if (!m) throw new Error(`unsupported condition ${c}`);
    return (expr(m[1] as string) === m[3]) === (m[2] === "==");
  };
  // One runner folder for every run, as a runner's tool cache: the second install is quick.
  const temp = opts.runnerTemp ?? runnerTemp;
  const used: Step[] = [];
  let stdout = "";
  for (const step of action.runs.steps) {
    if (step.if && !condition(step.if)) continue;
    if (step.uses) {
      used.push({
        ...step,
        with: Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, subst(String(v))])),
      });
      continue;
    }
    const out = join(temp, `out-${step.id ?? used.length}`);
    writeFileSync(out, "");
    const env: Record<string, string> = {
      ...(opts.env ?? {}),
      GITHUB_ACTION_PATH: actionPath,
      RUNNER_TEMP: temp,
      GITHUB_OUTPUT: out,
    };
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = subst(String(v));
    const r = await run("bash", ["-e", "-c", subst(step.run as string)], { cwd, env });
    stdout += r.stdout;
    if (step.id)
      outputs[step.id] = Object.fromEntries(
        readFileSync(out, "utf8")
          .split("\n")
          .filter((l) => l.includes("="))
          .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
      );
    if (r.code !== 0) return { code: r.code, stdout, stderr: r.stderr, used, outputs };
  }
  return { code: 0, stdout, stderr: "", used, outputs };
}

describe("the GitHub Action", () => {
  it("is a composite action on Node 24 that uploads its SARIF with upload-sarif v4", () => {
    const action = parse(readFileSync(join(ROOT, "action.yml"), "utf8"));
    expect(action.runs.using).toBe("composite");
    expect(Object.keys(action.inputs)).toEqual(
      expect.arrayContaining(["paths", "format", "fail-on", "config"]),
    );
    const steps = action.runs.steps as Step[];
    expect(steps.find((s) => s.uses?.startsWith("actions/setup-node@"))?.with).toEqual({
      "node-version": 24,
    });
    expect(steps.some((s) => s.uses === "github/codeql-action/upload-sarif@v4")).toBe(true);
  });

  it("format sarif: writes a SARIF file with the project's findings and hands it to upload-sarif", async () => {
    const dir = project();
    const r = await runAction({ package: tarball }, dir);
    expect(r.code, r.stderr).toBe(0); // fail-on never
    const upload = r.used.find((s) => s.uses === "github/codeql-action/upload-sarif@v4");
    expect(upload?.with?.sarif_file).toBe("async-doctor.sarif");
    const sarif = JSON.parse(readFileSync(join(dir, "async-doctor.sarif"), "utf8"));
    const results = sarif.runs[0].results as {
      ruleId: string;
      locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
    }[];
    expect(
      results.map((x) => `${x.ruleId} ${x.locations[0]?.physicalLocation.artifactLocation.uri}`),
    ).toEqual(
      expect.arrayContaining([
        "gevent-trio-same-process requirements.txt",
        "gevent-patch-late-ssl svc/late.py",
      ]),
    );
  }, 120_000);

  it("format github: prints annotations; fail-on any fails the run after scanning", async () => {
    const dir = project();
    const r = await runAction(
      { package: tarball, format: "github", "fail-on": "any", paths: "svc\nrequirements.txt" },
      dir,
    );
    expect(r.used.some((s) => s.uses?.includes("upload-sarif"))).toBe(false);
    expect(r.stdout).toMatch(
      /^::warning file=svc\/late\.py,line=3,endLine=3,col=\d+,endColumn=\d+,title=gevent-patch-late-ssl::/m,
    );
    expect(r.outputs.scan?.status).toBe("1");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("::error::async-doctor found what fail-on: any fails on");
  }, 120_000);

  it("with no package input, runs the bundle of the action's own checkout: nothing is installed", async () => {
    const dir = project();
    const r = await runAction({ format: "github" }, dir);
    expect(r.code, r.stderr).toBe(0);
    // A two-line wrapper around the checkout's dist/bundle/, not an npm install.
    expect(r.outputs.install?.bin).toBe(join(runnerTemp, "async-doctor", "async-doctor"));
    expect(readFileSync(join(runnerTemp, "async-doctor", "async-doctor"), "utf8")).toContain(
      join(ROOT, "dist", "bundle", "async-doctor.js"),
    );
    expect(r.stdout).toContain("title=gevent-patch-late-ssl::");
  }, 120_000);

  it("on a branch checkout without the bundle, builds it from the sources first (offline here)", async () => {
    // The action's repository as `uses: async-doctor/async-doctor@main` checks it out: the
    // tracked files, no dist/, no node_modules.
    const checkout = mkdtempSync(join(tmpdir(), "ad-action-"));
    const files = execFileSync("git", ["ls-files", "-co", "--exclude-standard", "-z"], {
      cwd: ROOT,
      encoding: "utf8",
    })
      .split("\0")
      .filter(Boolean);
    for (const f of files)
      if (existsSync(join(ROOT, f))) cpSync(join(ROOT, f), join(checkout, f), { recursive: true });
    expect(existsSync(join(checkout, "dist"))).toBe(false);
    const temp = mkdtempSync(join(tmpdir(), "ad-runner-"));
    const r = await runAction({ format: "github" }, project(), {
      actionPath: checkout,
      runnerTemp: temp,
      env: { npm_config_offline: "true" },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("building the command line from its sources");
    expect(existsSync(join(checkout, "dist", "bundle", "async-doctor.js"))).toBe(true);
    expect(r.stdout).toContain("title=gevent-patch-late-ssl::");
  }, 240_000);

  it("fails loudly when the tool is missing or an input is wrong", async () => {
    const dir = project();
    const missing = await runAction({ package: join(work, "no-such-package.tgz") }, dir);
    expect(missing.code).not.toBe(0);
    const wrong = await runAction({ package: tarball, format: "xml" }, dir);
    expect(wrong.code).toBe(2);
    expect(wrong.stdout).toContain("::error::format must be sarif or github");
  }, 120_000);
});

describe("pre-commit hooks", () => {
  const hooks = parse(readFileSync(join(ROOT, ".pre-commit-hooks.yaml"), "utf8")) as {
    id: string;
    entry: string;
    language: string;
    types_or?: string[];
    files?: string;
    pass_filenames?: boolean;
  }[];
  const entry = (id: string) => {
    const hook = hooks.find((h) => h.id === id);
    if (!hook) throw new Error(`no hook ${id}`);
    const [cmd, ...args] = hook.entry.split(" ");
    expect(cmd).toBe("async-doctor");
    return { hook, args };
  };

  it("async-doctor: Python files as pre-commit passes them (relative to the repository root)", async () => {
    const { hook, args } = entry("async-doctor");
    expect(hook.language).toBe("node");
    expect(hook.types_or).toEqual(["python", "pyi"]);
    const dir = project();
    const r = await run(bin, [...args, "svc/late.py", "svc/stub.pyi", "worker.py"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("svc/late.py:3:");
    expect(r.stdout).toContain("gevent-patch-late-ssl");
    const clean = await run(bin, [...args, "svc/stub.pyi"], { cwd: dir });
    expect(clean.code).toBe(0);
  });

  it("async-doctor-project: runs on the whole project when a manifest or run config changes", async () => {
    const { hook, args } = entry("async-doctor-project");
    expect(hook.pass_filenames).toBe(false);
    const files = new RegExp(hook.files as string);
    for (const f of [
      "requirements.txt",
      "deploy/requirements-prod.txt",
      "pyproject.toml",
      "uv.lock",
      "gunicorn.conf.py",
      "Procfile",
      "docker-compose.yml",
    ])
      expect(files.test(f), f).toBe(true);
    for (const f of ["app/main.py", "README.md", "docs/requirements.md"])
      expect(files.test(f), f).toBe(false);
    const dir = project();
    const r = await run(bin, args, { cwd: dir });
    expect(r.code).toBe(1);
    // On the trio line, where the fix (uninstalling it) is made.
    expect(r.stdout).toContain("requirements.txt:4:1: gevent-trio-same-process (high)");
  });
});
