/**
 * How a project runs patched, read from its worker configs and command lines: gunicorn's
 * gevent/eventlet workers (`gunicorn.conf.py`, `-k`/`--worker-class` in a Procfile, Dockerfile,
 * compose file, shell script or pyproject task), celery's `-P`/`--pool`, and uWSGI's `gevent`
 * option. Line by line and token by token: linear in the input.
 */
import { baseName } from "./manifests.js";
import type { ImportStep } from "./modules.js";

export type Patcher = "gevent" | "eventlet";

export interface PatchedRun {
  patcher: Patcher;
  /** gunicorn, celery or uwsgi; `code` for a module-level patch in an entry module. */
  via: "gunicorn" | "celery" | "uwsgi" | "locust" | "code";
  file: string;
  line: number;
  /** The line as written (trimmed). */
  text: string;
  /** The folder whose modules this run loads ("" = the whole project). */
  scope: string;
  /** For a patch in code: the imports by which the patching module loads this one. */
  chain?: ImportStep[];
  /**
   * locust: the locustfiles it loads (`-f`, `locustfile =`), relative to the run's folder; locust
   * loads those and what they import, nothing else (default: `locustfile.py` or `locustfile/`).
   */
  entry?: string[];
}

/** Files that may start the project's processes. */
export function isRunConfig(path: string): boolean {
  const base = baseName(path);
  const lower = base.toLowerCase();
  if (base === "Procfile" || base.startsWith("Procfile.") || lower === "makefile" || lower === "justfile")
    return true;
  if (lower === "dockerfile" || lower.startsWith("dockerfile.") || lower.endsWith(".dockerfile")) return true;
  if (
    (lower.startsWith("docker-compose") || lower.startsWith("compose")) &&
    (lower.endsWith(".yml") || lower.endsWith(".yaml"))
  )
    return true;
  if (
    lower.endsWith(".sh") ||
    lower.endsWith(".ini") ||
    lower.endsWith(".service") ||
    lower === "supervisord.conf"
  )
    return true;
  if (lower === "pyproject.toml" || lower === "app.yaml" || lower === "fly.toml" || lower === "locust.conf")
    return true;
  return lower.endsWith(".py") && lower.includes("gunicorn");
}

/** Split a command line into words: whitespace, quotes, commas and brackets separate. */
function words(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (const ch of line) {
    if (ch === " " || ch === "\t" || ch === '"' || ch === "'" || ch === "," || ch === "[" || ch === "]") {
      if (cur) out.push(cur);
      cur = "";
    } else cur += ch;
  }
  if (cur) out.push(cur);
  return out;
}

function patcherOf(value: string | undefined): Patcher | null {
  const v = (value ?? "").toLowerCase();
  if (v.includes("gevent")) return "gevent";
  if (v.includes("eventlet")) return "eventlet";
  return null;
}

/** The value of an option given as `-k X`, `-kX`, `-k=X`, `--long X` or `--long=X`. */
function optionValue(ws: string[], from: number, short: string, long: string): string | undefined {
  for (let i = from; i < ws.length; i++) {
    const w = ws[i] as string;
    if (w === short || w === long) return ws[i + 1];
    if (w.startsWith(`${long}=`)) return w.slice(long.length + 1);
    if (w.startsWith(`${short}=`)) return w.slice(short.length + 1);
    if (w.startsWith(short) && w.length > short.length && !w.startsWith("--")) return w.slice(short.length);
  }
  return undefined;
}

/** Words after which a new command starts (shell, Dockerfile, compose/Procfile keys, task tables). */
const STARTS = new Set(["&&", "||", ";", "|", "then", "do", "else", "run", "cmd", "entrypoint", "exec", "="]);
/** Words that run the next one: `sudo locust`, `uv run gunicorn`, `python -m celery`. */
const RUNNERS = new Set(["sudo", "nohup", "time", "env", "exec", "run", "-m", "xargs"]);
const PROGRAMS = new Set(["gunicorn", "celery", "uwsgi", "locust"]);
/** A command given one of these only prints something and exits: not a run. */
const PRINTS_ONLY = new Set(["--version", "-V", "--help", "-h", "version", "help"]);

/** Is word i where a command starts (so it names the program that runs)? */
function commandStart(ws: string[], i: number): boolean {
  if (i === 0) return true;
  const prev = (ws[i - 1] as string).toLowerCase();
  if (STARTS.has(prev) || prev.endsWith(":") || RUNNERS.has(prev)) return true;
  // `FOO=bar gunicorn ...`, `python3 -m celery`, `python manage.py` are handled by walking back.
  if (prev.includes("=") && !prev.startsWith("-")) return commandStart(ws, i - 1);
  return false;
}

/** The program word as written, without a path or a Makefile's `@`/`-` prefix. */
function program(w: string): string {
  let p = w.toLowerCase();
  while (p.startsWith("@") || p.startsWith("-")) p = p.slice(1);
  return p.slice(p.lastIndexOf("/") + 1);
}

function commandRun(ws: string[]): { patcher: Patcher; via: PatchedRun["via"]; entry?: string[] } | null {
  for (let i = 0; i < ws.length; i++) {
    const w = program(ws[i] as string);
    // `GUNICORN_CMD_ARGS=-k gevent` (an environment setting: wherever it is written).
    const env = w.startsWith("gunicorn_cmd_args=");
    if (!env && !(PROGRAMS.has(w) && commandStart(ws, i))) continue;
    // The command's own words, up to the next command.
    let end = i + 1;
    while (end < ws.length && !STARTS.has((ws[end] as string).toLowerCase())) end++;
    const args = ws.slice(i + 1, end);
    if (env) args.unshift((ws[i] as string).slice("gunicorn_cmd_args=".length));
    if (args.some((a) => PRINTS_ONLY.has(a))) continue;
    if (w === "gunicorn" || env) {
      const p = patcherOf(optionValue(args, 0, "-k", "--worker-class"));
      if (p) return { patcher: p, via: "gunicorn" };
    }
    if (w === "celery") {
      const p = patcherOf(optionValue(args, 0, "-P", "--pool"));
      if (p) return { patcher: p, via: "celery" };
    }
    if (w === "uwsgi" && args.some((x) => x === "--gevent" || x.startsWith("--gevent=")))
      return { patcher: "gevent", via: "uwsgi" };
    // locust patches with gevent as soon as it is imported, before it loads the locustfile.
    if (w === "locust") {
      const f = optionValue(args, 0, "-f", "--locustfile");
      return { patcher: "gevent", via: "locust", ...(f ? { entry: locustfiles(f) } : {}) };
    }
  }
  return null;
}

/** `-f a.py,b.py` or `-f pkg/`: the files or folders, without `./` or a trailing `/`. */
function locustfiles(value: string): string[] {
  return value
    .split(",")
    .map((f) => f.trim().replace(/^\.\//, "").replace(/\/+$/, ""))
    .filter((f) => f !== "" && !f.startsWith("$") && !f.includes("://"));
}

const MAX_LINE = 4096;
/** Runs read from one file (a real Procfile or compose file declares a handful). */
export const MAX_RUNS_PER_FILE = 100;

/** The patched runs one file declares. */
export function readRuns(path: string, text: string): PatchedRun[] {
  if (!isRunConfig(path)) return [];
  const scope = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
  const out: PatchedRun[] = [];
  const gunicornPy = path.toLowerCase().endsWith(".py");
  let section = "";
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length && out.length < MAX_RUNS_PER_FILE; i++) {
    const raw = lines[i] ?? "";
    const t = (raw.length > MAX_LINE ? raw.slice(0, MAX_LINE) : raw).trim();
    if (!t || t.startsWith("#")) continue;
    const at = { file: path, line: i + 1, text: t, scope };
    if (gunicornPy) {
      // gunicorn.conf.py: `worker_class = "gevent"`.
      const eq = t.indexOf("=");
      if (eq > 0 && t.slice(0, eq).trim() === "worker_class") {
        const p = patcherOf(t.slice(eq + 1));
        if (p) out.push({ patcher: p, via: "gunicorn", ...at });
      }
      continue;
    }
    if (t.startsWith("[") && t.endsWith("]")) section = t.slice(1, -1).trim().toLowerCase();
    if (baseName(path).toLowerCase() === "locust.conf") {
      // locust.conf: `locustfile = ...` names what locust loads (patched).
      const eq = t.indexOf("=");
      if (eq > 0 && t.slice(0, eq).trim() === "locustfile")
        out.push({ patcher: "gevent", via: "locust", entry: locustfiles(t.slice(eq + 1)), ...at });
      continue;
    }
    if (section === "uwsgi" && path.toLowerCase().endsWith(".ini")) {
      const eq = t.indexOf("=");
      if (eq > 0 && t.slice(0, eq).trim() === "gevent" && /^\s*\d/.test(t.slice(eq + 1)))
        out.push({ patcher: "gevent", via: "uwsgi", ...at });
      continue;
    }
    const run = commandRun(words(t));
    if (run) out.push({ ...run, ...at });
  }
  return out;
}
