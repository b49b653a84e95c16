// Bounded work on hostile input: every manifest format at 100 KB and just under 4 MiB scanned by
// the CLI (a whole process, next to `import gevent`), and triage of the slowest 1 MiB texts known.
// Run by `npm run bench` (after the build) or alone: `node bench/bounded.mjs [DIST]`, where DIST is
// another build's dist/ (the previous release's, to compare the same hour).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const DIST = resolve(process.argv[2] ?? new URL("../dist/", import.meta.url).pathname);
const MIB = 1024 * 1024;
/** A scan is stopped after this long (BENCH_SCAN_TIMEOUT_S; the quadratic reader took hours on 4 MiB). */
const SCAN_TIMEOUT_MS = Number(process.env.BENCH_SCAN_TIMEOUT_S ?? 120) * 1000;

/** Entries of each format; `pad` is text before them (blank lines: the quadratic case). */
const FORMATS = {
  "pyproject.toml": (n) =>
    `${"\n".repeat(n)}[project]\nname = "x"\ndependencies = [\n${lines(n, (i) => `"p${i}>=1"`, ",\n")}\n]\n`,
  "pyproject.toml (Poetry)": (n) =>
    `[tool.poetry.dependencies]\n${lines(n, (i) => `p-${i} = "^1.${i}"`, "\n")}\n`,
  Pipfile: (n) => `[packages]\n${lines(n, (i) => `p_${i} = "==1.${i}"`, "\n")}\n`,
  "Pipfile.lock": (n) =>
    `{"default": {\n${lines(n, (i) => `    "p${i}": {"version": "==1.${i}"}`, ",\n")}\n}}\n`,
  "poetry.lock": (n) => lines(n, (i) => `[[package]]\nname = "p${i}"\nversion = "1.${i}"\n`, "\n"),
  "requirements.txt": (n) => lines(n, (i) => `p${i}==1.${i} \\\n    --hash=sha256:${"a".repeat(64)}`, "\n"),
  "setup.cfg": (n) => `[options]\ninstall_requires =\n${lines(n, (i) => `    p${i}>=1`, "\n")}\n`,
  "setup.py": (n) =>
    `from setuptools import setup\nsetup(install_requires=[\n${lines(n, (i) => `    "p${i}>=1"`, ",\n")}\n])\n`,
  "setup.py (nested lists)": (n) => `${"install_requires=[".repeat(n)}"a",${"]".repeat(n)}\n`,
};

function lines(n, f, sep) {
  return Array.from({ length: n }, (_, i) => f(i)).join(sep);
}

/** The largest text of the format at most `bytes` long. */
function sized(make, bytes) {
  let lo = 1;
  let hi = 2;
  while (make(hi).length <= bytes) hi *= 2;
  while (lo + 1 < hi) {
    const mid = (lo + hi) >> 1;
    if (make(mid).length <= bytes) lo = mid;
    else hi = mid;
  }
  return make(lo);
}

export function manifestRows(dist = DIST) {
  const rows = [];
  let worst100k = 0;
  let worst4m = 0;
  for (const [name, make] of Object.entries(FORMATS)) {
    for (const [label, bytes] of [
      ["100 KB", 100 * 1024],
      ["4 MiB", 4 * MIB - 1024],
    ]) {
      const dir = mkdtempSync(join(tmpdir(), "ad-bench-manifest-"));
      mkdirSync(join(dir, "app"));
      writeFileSync(
        join(dir, "app", "main.py"),
        "from gevent import monkey\nmonkey.patch_all()\nimport httpx\n",
      );
      writeFileSync(join(dir, name.split(" ")[0]), sized(make, bytes));
      const t = performance.now();
      try {
        execFileSync(
          process.execPath,
          [join(dist, "cli/index.js"), "scan", dir, "--format", "json", "--exit-zero"],
          {
            stdio: "ignore",
            timeout: SCAN_TIMEOUT_MS,
          },
        );
      } catch {
        // A timeout or a crash shows as its time (a timeout: "stopped").
      }
      const ms = performance.now() - t;
      const stopped = ms >= SCAN_TIMEOUT_MS;
      rmSync(dir, { recursive: true, force: true });
      if (label === "100 KB") worst100k = Math.max(worst100k, ms);
      else worst4m = Math.max(worst4m, ms);
      rows.push([
        `scan ${name} ${label}`,
        `${stopped ? "> " : ""}${(ms / 1000).toFixed(2)} s${stopped ? " (stopped)" : ""}`,
      ]);
    }
  }
  return { rows, worst100k, worst4m };
}

/** The slowest shapes of 1 MiB issue text found so far. */
const SHAPES = {
  'lines of `File "`': 'File "\n',
  frames: '  File "/Users/x/site-packages/trio/_core/_run.py", line 2950, in <module>\n',
  fences: "```\n",
  tracebacks:
    'Traceback (most recent call last):\n  File "/a/site-packages/httpcore/__init__.py", line 1, in <module>\n    import trio\nNotImplementedError: unsupported platform\n',
  "exception lines": "NotImplementedError: unsupported platform gevent trio\n",
  // What the thread-state reader reads: claims of having done something, works-now, questions.
  "thread-state sentences":
    "NotImplementedError: unsupported platform gevent trio\nI already set EVENTLET_NO_GREENDNS=1 and it works now.\nDoes patch_all() first help?\n",
};

export async function triageRows(dist = DIST) {
  const { createEngine } = await import(pathToFileURL(join(dist, "diagnosis/engine.js")).href);
  const engine = await createEngine();
  const rows = [];
  let worst = 0;
  for (const [name, unit] of Object.entries(SHAPES)) {
    const text = unit.repeat(Math.ceil(MIB / unit.length)).slice(0, MIB);
    engine.triage(text);
    const times = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      engine.triage(text);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    worst = Math.max(worst, times[2]);
    rows.push([`triage 1 MiB of ${name}`, `${times[2].toFixed(0)} ms median of 5`]);
  }
  return { rows, worst };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const m = manifestRows();
  const t = await triageRows();
  for (const [k, v] of [...m.rows, ...t.rows]) console.log(`${k.padEnd(40)} ${v}`);
  console.log(
    `worst: manifest 100 KB ${(m.worst100k / 1000).toFixed(2)} s (target < 1), 4 MiB ${(m.worst4m / 1000).toFixed(2)} s (target < 3); triage ${t.worst.toFixed(0)} ms (target < 250)`,
  );
}
