// Benchmarks: scan throughput over a generated tree, triage of a 1 MB adversarial issue body,
// and peak RSS. Run with `npm run bench` (builds first). Figures go to stdout.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { scanPaths } from "../dist/cli/fs-scan.js";
import { scanPathsParallel } from "../dist/cli/scan-pool.js";
import { createEngine } from "../dist/diagnosis/engine.js";
import { manifestRows, triageRows } from "./bounded.mjs";
import { packageRows } from "./package.mjs";
import { buildProjectTree } from "./project-tree.mjs";

const ROOT = new URL("./.tree/", import.meta.url).pathname;
const PROJECT_ROOT = new URL("./.project-tree/", import.meta.url).pathname;
const TARGET_BYTES = 64 * 1024 * 1024;
const FILE_BYTES = 32 * 1024;
const RELEVANT_EVERY = 100; // 1% of files mention gevent/trio and get parsed

function irrelevant(i) {
  const parts = [`"""Module ${i}: generated for the benchmark."""\nimport os\nimport json\n\n`];
  let n = 0;
  while (parts.join("").length < FILE_BYTES) {
    parts.push(
      `def handler_${i}_${n}(request, limit=10):\n    """Return the first items."""\n    data = json.loads(request.body)\n    items = [x for x in data.get("items", []) if x]\n    return {"count": len(items[:limit]), "cwd": os.getcwd()}\n\n\nclass Model${i}_${n}:\n    def __init__(self, name):\n        self.name = name\n\n    def __repr__(self):\n        return f"Model({self.name!r})"\n\n`,
    );
    n++;
  }
  return parts.join("");
}

function relevant(i) {
  return `import requests\nfrom gevent import monkey\nmonkey.patch_all()\nimport mysql.connector\n\ncnx = mysql.connector.connect(user="u")\n\n${irrelevant(i)}`;
}

function buildTree() {
  const stamp = join(ROOT, ".complete");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === `${TARGET_BYTES}/${FILE_BYTES}/${RELEVANT_EVERY}`)
    return;
  rmSync(ROOT, { recursive: true, force: true });
  let total = 0;
  for (let i = 0; total < TARGET_BYTES; i++) {
    const dir = join(ROOT, `pkg${Math.floor(i / 100)}`);
    if (i % 100 === 0) mkdirSync(dir, { recursive: true });
    const text = i % RELEVANT_EVERY === 0 ? relevant(i) : irrelevant(i);
    writeFileSync(join(dir, `mod_${i}.py`), text);
    total += Buffer.byteLength(text);
  }
  writeFileSync(stamp, `${TARGET_BYTES}/${FILE_BYTES}/${RELEVANT_EVERY}`);
}

function adversarialBody(size) {
  const unit = [
    "Traceback (most recent call last):",
    '  File "/Users/x/venv/lib/python3.11/site-packages/httpcore/_synchronization.py", line 11, in <module>',
    "    import trio",
    '  File "',
    `app_1  | [2024-01-01 00:00:00] [1] [ERROR] ${"a".repeat(200)}`,
    "`".repeat(120),
    "```python",
    "from gevent import monkey; monkey.patch_all()  # gevent trio grpc mysql",
    "```",
    "NotImplementedError: unsupported platform gevent eventlet trio httpx psycopg2 grpc",
    `We use gevent and asyncio and grpc and psycopg2 and it hangs and blocks and breaks. ${"x ".repeat(300)}`,
    ">>> import eventlet",
    "Name: trio",
    "Version: 0.25.1",
    "During handling of the above exception, another exception occurred:",
    "^".repeat(400),
  ].join("\n");
  let s = "";
  while (s.length < size) s += `${unit}\n`;
  return s.slice(0, size);
}

const engine = await createEngine();
buildTree();

// Scan: warm once (page cache, JIT), then the median of 3 runs of each path.
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
scanPaths(engine, [ROOT]);
const serialRuns = [];
let serial;
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  serial = scanPaths(engine, [ROOT]);
  serialRuns.push(performance.now() - t);
}
const poolRuns = [];
let report;
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  report = await scanPathsParallel([ROOT]);
  poolRuns.push(performance.now() - t);
}
const serialMs = median(serialRuns);
const scanMs = median(poolRuns);
if (report.findings.length !== serial.findings.length) throw new Error("the two scan paths disagree");
const mb = report.bytes / (1024 * 1024);
const throughput = mb / (scanMs / 1000);

// Project context: a 64 MiB project (manifests, run configs, an entry that patches and imports
// every package, 5 % relevant modules), scanned as a folder (with the project context) and as
// the list of its Python files (no context). The difference is what the context costs.
buildProjectTree(PROJECT_ROOT, TARGET_BYTES, 20);
const projectFiles = [];
const listPy = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true }))
    if (e.isDirectory()) listPy(join(dir, e.name));
    else if (e.name.endsWith(".py")) projectFiles.push(join(dir, e.name));
};
listPy(PROJECT_ROOT);
projectFiles.sort();
await scanPathsParallel([PROJECT_ROOT]);
const withRuns = [];
const withoutRuns = [];
const projectContextMs = [];
let projectReport;
for (let i = 0; i < 3; i++) {
  let t = performance.now();
  projectReport = await scanPathsParallel([PROJECT_ROOT]);
  withRuns.push(performance.now() - t);
  projectContextMs.push(projectReport.projectMs);
  t = performance.now();
  await scanPathsParallel(projectFiles);
  withoutRuns.push(performance.now() - t);
}
const projectMs = median(withRuns);
const filesMs = median(withoutRuns);
const projectMb = projectReport.bytes / (1024 * 1024);
// The context's own work (main thread; parsing excluded), as a share of the scan's wall time.
const contextMs = median(projectContextMs);
const overhead = contextMs / projectMs;
const byRule = {};
for (const f of projectReport.findings) byRule[f.rule] = (byRule[f.rule] ?? 0) + 1;

// Triage: 1 MB adversarial body, median of 9 runs after a warm-up.
const body = adversarialBody(1024 * 1024);
engine.triage(body);
const times = [];
for (let i = 0; i < 9; i++) {
  const t = performance.now();
  engine.triage(body);
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
const triageMs = times[4];

globalThis.gc?.();
const rssMb = process.resourceUsage().maxRSS / 1024;

// Hostile shapes (bounded.mjs): every manifest format at 100 KB and 4 MiB, the slowest 1 MiB texts.
const manifests = manifestRows();
const shapes = await triageRows();
const pkg = packageRows();

const rows = [
  [
    "scan tree",
    `${mb.toFixed(1)} MiB in ${report.files} files (${report.parsed} parsed, ${report.findings.length} findings)`,
  ],
  [
    "scanPaths (one thread)",
    `${serialMs.toFixed(0)} ms = ${(mb / (serialMs / 1000)).toFixed(0)} MiB/s (median of 3)`,
  ],
  ["CLI scan path", `${scanMs.toFixed(0)} ms (median of 3; worker threads only past 2 MiB to parse)`],
  ["scan throughput", `${throughput.toFixed(0)} MiB/s (target >= 200)`],
  [
    "project tree",
    `${projectMb.toFixed(1)} MiB in ${projectReport.files} files (${projectReport.parsed} parsed; ${Object.entries(
      byRule,
    )
      .map(([k, v]) => `${v} ${k}`)
      .join(", ")})`,
  ],
  [
    "project scan",
    `${projectMs.toFixed(0)} ms = ${(projectMb / (projectMs / 1000)).toFixed(0)} MiB/s; same files without the context ${filesMs.toFixed(0)} ms`,
  ],
  [
    "project context cost",
    `${contextMs.toFixed(0)} ms = ${(overhead * 100).toFixed(1)} % of scan time (target <= 20 %); plain tree ${report.projectMs.toFixed(0)} ms`,
  ],
  ["triage 1 MiB adversarial", `${triageMs.toFixed(1)} ms median of 9 (target < 50)`],
  ["peak RSS", `${rssMb.toFixed(0)} MiB (target < 300)`],
  ...manifests.rows,
  ...shapes.rows,
  [
    "hostile input, worst",
    `manifest 100 KB ${(manifests.worst100k / 1000).toFixed(2)} s (target < 1), 4 MiB ${(manifests.worst4m / 1000).toFixed(2)} s (target < 3); triage ${shapes.worst.toFixed(0)} ms (target < 250)`,
  ],
  ...pkg.rows,
];
for (const [k, v] of rows) console.log(`${k.padEnd(26)} ${v}`);
const ok =
  throughput >= 200 &&
  triageMs < 50 &&
  rssMb < 300 &&
  overhead <= 0.2 &&
  manifests.worst100k < 1000 &&
  manifests.worst4m < 3000 &&
  shapes.worst < 250 &&
  pkg.ok;
console.log(ok ? "all targets met" : "TARGET MISSED");
process.exitCode = ok ? 0 : 1;

// The real-code corpus (docs/PERFORMANCE.md lists its repositories): whole-process scans of a
// folder made by `node bench/corpus.mjs extract`, beside a previous release and ast-grep when given.
const corpus = process.env.ASYNC_DOCTOR_CORPUS;
if (!corpus || !existsSync(corpus)) {
  console.log(
    "real-code corpus          skipped: set ASYNC_DOCTOR_CORPUS to a folder made by `node bench/corpus.mjs extract` (see docs/PERFORMANCE.md); ASYNC_DOCTOR_BASELINE (a release's dist/) and ASYNC_DOCTOR_AST_GREP (an ast-grep binary) add the comparisons",
  );
} else {
  const { spawnSync } = await import("node:child_process");
  const args = [new URL("./corpus.mjs", import.meta.url).pathname, "run", corpus];
  if (process.env.ASYNC_DOCTOR_BASELINE) args.push("--baseline", process.env.ASYNC_DOCTOR_BASELINE);
  if (process.env.ASYNC_DOCTOR_AST_GREP) args.push("--ast-grep", process.env.ASYNC_DOCTOR_AST_GREP);
  spawnSync(process.execPath, args, { stdio: "inherit" });
}
