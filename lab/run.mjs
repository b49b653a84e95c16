// The mechanism lab: run every case (lab/cases.mjs) against the real libraries, print a table
// (case, versions, expected, observed), write lab/results.json and docs/KNOWLEDGE.md, and exit 1
// when an observation contradicts its claim or a case could not run. `npm run lab`.
//
// Environments are Debian's Python with Debian's python3-* packages, plus wheel sets installed with
// `pip install --target` into lab/.envs/<env> (put before Debian's packages on the path). An env
// that lists `system` modules runs with no site packages but those, linked in.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { CASES, ENVS } from "./cases.mjs";
import { check, renderEvidence, renderKnowledge } from "./render.mjs";

const LAB = new URL("./", import.meta.url).pathname;
const ROOT = join(LAB, "..");
const PYTHON = process.env.LAB_PYTHON ?? "/usr/bin/python3";
const PIP = (process.env.LAB_PIP ?? "python3 -m pip").split(" ");
// `--out DIR`: write results.json and KNOWLEDGE.md there instead (the tests compare them with the committed ones).
const argv = process.argv.slice(2);
const outAt = argv.indexOf("--out");
const OUT = outAt >= 0 ? argv[outAt + 1] : null;
const only = argv.filter((_, i) => outAt < 0 || (i !== outAt && i !== outAt + 1));

function say(line) {
  process.stderr.write(`lab: ${line}\n`);
}

/** pip's own configured indexes, used alone (a configured index that cannot be reached makes pip wait). */
function indexArgs() {
  let listed = "";
  try {
    listed = execFileSync(PIP[0], [...PIP.slice(1), "config", "list"], { encoding: "utf8" });
  } catch {
    return [];
  }
  const urls = [];
  for (const line of listed.split("\n")) {
    const m = /^[^=]*\.(?:extra-index-url|index-url)='(.*)'$/.exec(line.trim());
    if (m) for (const u of m[1].split(/\s+/)) if (u) urls.push(u);
  }
  const local = urls.filter((u) => u.startsWith("file:"));
  if (local.length === 0) return [];
  return ["--index-url", local[0], ...local.slice(1).flatMap((u) => ["--extra-index-url", u])];
}

/** Install an env's wheels (once per spec) and return how to run Python in it. */
function prepare(name) {
  const spec = ENVS[name];
  const env = { ...process.env, PYTHONDONTWRITEBYTECODE: "1", PYTHONPATH: LAB };
  const args = [];
  if (!spec.wheels) return { args, env };
  const dir = join(LAB, ".envs", name);
  const stamp = join(dir, ".spec");
  const want = createHash("sha256").update(JSON.stringify(spec)).digest("hex");
  if (!existsSync(stamp) || readFileSync(stamp, "utf8") !== want) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    say(`installing ${name}: ${spec.wheels.join(" ")}`);
    execFileSync(
      PIP[0],
      [
        ...PIP.slice(1),
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--target",
        join(dir, "site"),
        ...indexArgs(),
        ...spec.wheels,
      ],
      { stdio: ["ignore", "ignore", "inherit"], timeout: 600_000 },
    );
    if (Array.isArray(spec.system)) {
      // Only these of Debian's modules: linked from where Debian's Python finds them.
      const linked = join(dir, "system");
      mkdirSync(linked);
      for (const mod of spec.system) {
        const where = execFileSync(
          PYTHON,
          [
            "-c",
            // A package's folder, or a single-module library's file (six.py).
            `import ${mod},os; f=getattr(${mod},"__file__",None); print(os.path.dirname(f) if f and f.endswith("__init__.py") else (f or list(${mod}.__path__)[0]))`,
          ],
          {
            encoding: "utf8",
          },
        ).trim();
        symlinkSync(where, join(linked, where.endsWith(".py") ? `${mod}.py` : mod));
        // Its distribution's metadata too, so that the versions it ran on are recorded.
        const parent = join(where, "..");
        for (const entry of readdirSync(parent))
          if (
            /\.(dist|egg)-info$/.test(entry) &&
            entry.toLowerCase().replace(/[-_.]/g, "_").startsWith(`${mod.toLowerCase()}_`)
          )
            symlinkSync(join(parent, entry), join(linked, entry));
      }
    }
    writeFileSync(stamp, want);
  }
  const paths = [join(dir, "site"), ...(Array.isArray(spec.system) ? [join(dir, "system")] : []), LAB];
  env.PYTHONPATH = paths.join(":");
  if (Array.isArray(spec.system)) args.push("-S"); // no site packages but the listed ones
  return { args, env };
}

function sql(cmd, args, input) {
  const r = spawnSync(cmd, args, { input, encoding: "utf8", timeout: 30_000 });
  return r.status === 0;
}

/** The lab's database users (PostgreSQL and MariaDB run on these machines); false where that fails. */
function databases() {
  const pg =
    sql(
      "runuser",
      ["-u", "postgres", "--", "psql", "-v", "ON_ERROR_STOP=1", "-q"],
      `DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'asyncdoctor_lab') THEN CREATE ROLE asyncdoctor_lab LOGIN PASSWORD 'lab'; END IF;
END $$;`,
    ) || sql("psql", ["-h", "127.0.0.1", "-U", "asyncdoctor_lab", "-d", "postgres", "-c", "select 1"], "");
  const my = sql(
    "mysql",
    [],
    "CREATE USER IF NOT EXISTS 'asyncdoctor_lab'@'localhost' IDENTIFIED BY 'lab'; CREATE USER IF NOT EXISTS 'asyncdoctor_lab'@'127.0.0.1' IDENTIFIED BY 'lab';",
  );
  return { postgres: pg, mysql: my };
}

function runCase(c, prepared) {
  const r = spawnSync(PYTHON, [...prepared.args, join(LAB, "cases", c.program), ...c.args], {
    cwd: LAB,
    env: { ...prepared.env, ...(c.envVars ?? {}), PGPASSWORD: "lab" },
    encoding: "utf8",
    timeout: 90_000,
  });
  const line = (r.stdout ?? "")
    .split("\n")
    .reverse()
    .find((l) => l.startsWith("LAB-RESULT "));
  if (!line)
    return {
      error: `no result (exit ${r.status}${r.error ? `, ${r.error.message}` : ""}): ${(r.stderr ?? "").trim().split("\n").slice(-3).join(" / ").slice(0, 400)}`,
    };
  return JSON.parse(line.slice("LAB-RESULT ".length));
}

const chosen = CASES.filter((c) => only.length === 0 || only.some((o) => c.id.includes(o)));
const dbs = chosen.some((c) => c.needs) ? databases() : {};
const prepared = {};
const results = [];
for (const c of chosen) {
  let observed;
  if (c.needs && !dbs[c.needs]) observed = { error: `${c.needs} is not reachable here` };
  else {
    try {
      prepared[c.env] ??= prepare(c.env);
      observed = runCase(c, prepared[c.env]);
    } catch (e) {
      observed = { error: `environment ${c.env} could not be prepared: ${String(e.message).split("\n")[0]}` };
    }
  }
  const problems = observed.error ? [observed.error] : check(c, observed);
  results.push({ id: c.id, env: c.env, observed, problems });
  say(
    `${problems.length === 0 ? "ok  " : "FAIL"} ${c.id}${problems.length ? `: ${problems.join("; ")}` : ""}`,
  );
}

const table = results.map((r) => {
  const v = r.observed.versions ?? {};
  const shown = Object.entries(v)
    .filter(([, x]) => x)
    .map(([k, x]) => `${k} ${x}`)
    .join(", ");
  return [r.id, shown, r.problems.length === 0 ? "as claimed" : r.problems.join("; ")];
});
for (const [id, v, s] of table)
  console.log(
    `${id.padEnd(34)} ${s === "as claimed" ? "ok  " : "FAIL"} ${v}${s === "as claimed" ? "" : `\n    ${s}`}`,
  );

if (only.length === 0) {
  writeFileSync(join(OUT ?? LAB, "results.json"), `${JSON.stringify({ cases: results }, null, 2)}\n`);
  writeFileSync(join(OUT ?? join(ROOT, "docs"), "KNOWLEDGE.md"), renderKnowledge(CASES, ENVS, results));
  writeFileSync(join(OUT ?? join(ROOT, "src", "diagnosis"), "lab-evidence.ts"), renderEvidence(results));
}
const failed = results.filter((r) => r.problems.length > 0).length;
console.log(`lab: ${results.length - failed} claims hold, ${failed} do not`);
process.exitCode = failed > 0 ? 1 : 0;
