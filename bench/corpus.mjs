#!/usr/bin/env node
// The real-code benchmark corpus: the Python trees of public repositories, extracted from git
// directories (bare clones) into one folder, and timed.
//
//   node bench/corpus.mjs extract OUT GITDIR...   HEAD of each repository into OUT/<owner>+<name>
//   node bench/corpus.mjs run DIR [options]       median wall and peak RSS of whole-process scans
//
// Run options: --runs N (default 5); --baseline DIST (a previous release's dist/ folder, timed the
// same way in the same run); --ast-grep BIN (ast-grep, with the six structural rules of
// bench/ast-grep/); --times K (scan K copies of DIR side by side: the linearity check).
// Nothing from the corpus is committed; without DIR the script says how to make one and exits 0.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const MAX_FILE = 2 * 1024 * 1024;
const KEEP = [".py", ".pyi", ".txt", ".toml", ".cfg", ".ini", ".lock", ".yml", ".yaml", ".sh", ".conf"];
const KEEP_NAMES = new Set(["Dockerfile", "Procfile", "Pipfile", "Makefile", "setup.py"]);

function keep(path) {
  const name = basename(path);
  return KEEP_NAMES.has(name) || KEEP.some((e) => name.endsWith(e));
}

/** `…/owner+name/repo` or `…/owner+name/repo/.git` or `…/name.git` → a folder name. */
function repoName(gitDir) {
  const parts = resolve(gitDir).split("/").filter(Boolean);
  while (parts.length > 1 && ["repo", ".git"].includes(parts[parts.length - 1] ?? "")) parts.pop();
  return (parts[parts.length - 1] ?? "repo").replace(/\.git$/, "");
}

/**
 * HEAD's tree, blob by blob: some snapshots lack a few large blobs, which stops `git archive`.
 * Missing blobs, binaries and files over 2 MB are skipped.
 */
function extract(out, gitDirs) {
  mkdirSync(out, { recursive: true });
  for (const gitDir of gitDirs) {
    const name = repoName(gitDir);
    const dest = join(out, name);
    rmSync(dest, { recursive: true, force: true });
    const listing = execFileSync("git", ["--git-dir", gitDir, "ls-tree", "-r", "-l", "HEAD"], {
      maxBuffer: 256 * 1024 * 1024,
    }).toString();
    const wanted = [];
    for (const line of listing.split("\n")) {
      const tab = line.indexOf("\t");
      if (tab < 0) continue;
      const [mode, type, sha, size] = line.slice(0, tab).split(/\s+/);
      const path = line.slice(tab + 1);
      if (type !== "blob" || mode === "120000" || !keep(path)) continue;
      if (size === "-" || Number(size) > MAX_FILE) continue;
      wanted.push({ sha, path });
    }
    const batch = spawnSync("git", ["--git-dir", gitDir, "cat-file", "--batch"], {
      input: `${wanted.map((w) => w.sha).join("\n")}\n`,
      maxBuffer: 1024 * 1024 * 1024,
    }).stdout;
    let at = 0;
    let written = 0;
    for (const w of wanted) {
      const eol = batch.indexOf(10, at);
      const header = batch.subarray(at, eol).toString();
      at = eol + 1;
      if (header.endsWith("missing")) continue;
      const size = Number(header.split(" ")[2]);
      const body = batch.subarray(at, at + size);
      at += size + 1;
      if (body.includes(0)) continue; // binary
      const file = join(dest, w.path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, body);
      written++;
    }
    console.log(`${name}: ${written} files`);
  }
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Wall seconds and peak RSS (MiB) of one whole process, from GNU time. */
function timed(cmd, args, cwd) {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %M", cmd, ...args], {
    cwd,
    maxBuffer: 512 * 1024 * 1024,
    encoding: "utf8",
  });
  const last = r.stderr.trim().split("\n").pop() ?? "";
  const [wall, kb] = last.split(" ").map(Number);
  return { wall, rss: kb / 1024, stdout: r.stdout, stderr: r.stderr, status: r.status };
}

function arg(args, name, fallback) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
}

function run(dir, args) {
  const runs = Number(arg(args, "--runs", "5"));
  const baseline = arg(args, "--baseline");
  const astGrep = arg(args, "--ast-grep");
  const times = Number(arg(args, "--times", "1"));
  let tree = dir;
  if (times > 1) {
    tree = mkdtempSync(join(tmpdir(), "ad-corpus-"));
    for (let k = 0; k < times; k++) cpSync(dir, join(tree, `copy-${k}`), { recursive: true });
  }
  const tools = [
    // The command-line package's bundle: what `npm install async-doctor` runs.
    ["async-doctor (this tree)", process.execPath, [join(here, "..", "dist", "bundle", "async-doctor.js")]],
  ];
  if (baseline) {
    // Releases before 0.2 had their command line at dist/cli.js.
    const entry = ["bundle/async-doctor.js", "cli/index.js", "cli.js"]
      .map((p) => join(resolve(baseline), p))
      .find((p) => existsSync(p));
    if (!entry) throw new Error(`${baseline}: no bundle/async-doctor.js, cli/index.js or cli.js`);
    tools.push(["async-doctor (baseline)", process.execPath, [entry]]);
  }
  const rows = [];
  for (const [label, cmd, pre] of tools) {
    const samples = [];
    let findings = 0;
    for (let i = 0; i < runs; i++) {
      // Exit status 1 means findings.
      const t = timed(cmd, [...pre, "scan", tree, "--format", "json"]);
      if (t.status !== 0 && t.status !== 1) throw new Error(`${label} exited ${t.status}`);
      try {
        findings = JSON.parse(t.stdout).findings?.length ?? 0;
      } catch {
        throw new Error(`${label}: no JSON on stdout (status ${t.status}): ${t.stderr.slice(-2000)}`);
      }
      samples.push(t);
    }
    rows.push({
      label,
      wall: median(samples.map((s) => s.wall)),
      rss: median(samples.map((s) => s.rss)),
      findings,
    });
  }
  if (astGrep) {
    const samples = [];
    for (let i = 0; i < runs; i++)
      samples.push(
        timed(astGrep, [
          "scan",
          "--config",
          join(here, "ast-grep", "sgconfig.yml"),
          "-j",
          "2",
          "--json=compact",
          tree,
        ]),
      );
    rows.push({
      label: "ast-grep, six structural rules",
      wall: median(samples.map((s) => s.wall)),
      rss: median(samples.map((s) => s.rss)),
      findings: JSON.parse(samples[0].stdout || "[]").length,
    });
  }
  const files = Number(
    execFileSync("sh", ["-c", `find "${tree}" -name '*.py' | wc -l`])
      .toString()
      .trim(),
  );
  console.log(
    `corpus: ${readdirSync(dir).length} repositories${times > 1 ? ` ×${times}` : ""}, ${files} .py files; median of ${runs}`,
  );
  console.log("| tool | wall | peak RSS | findings |\n|---|---|---|---|");
  for (const r of rows)
    console.log(`| ${r.label} | ${r.wall.toFixed(2)} s | ${r.rss.toFixed(0)} MiB | ${r.findings} |`);
  if (times > 1) rmSync(tree, { recursive: true, force: true });
}

const [command, ...rest] = process.argv.slice(2);
if (command === "extract" && rest.length >= 2) extract(rest[0], rest.slice(1));
else if (command === "run" && rest[0] && existsSync(rest[0])) run(rest[0], rest.slice(1));
else {
  console.log(
    "No corpus folder given (or it does not exist): the real-code benchmark is skipped.\n" +
      "Make one from bare clones of the repositories listed in docs/PERFORMANCE.md:\n" +
      "  node bench/corpus.mjs extract CORPUS GITDIR...\n" +
      "then time it:  node bench/corpus.mjs run CORPUS [--baseline DIST] [--ast-grep BIN] [--times 4]",
  );
}
