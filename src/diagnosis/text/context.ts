/**
 * Context facts read from an issue text: platform, package versions, Python version and the
 * patcher in play. Linear, token based.
 */
import type { Platform } from "../types.js";
import { hasWordPrefix } from "./lines.js";
import type { Traceback } from "./traceback.js";

/** Packages whose versions matter to some explanation (normalised: lowercase, `_` -> `-`). */
export const KNOWN_PACKAGES = new Set([
  "trio",
  "gevent",
  "eventlet",
  "greenlet",
  "httpx",
  "httpcore",
  "anyio",
  "grpcio",
  "psycopg",
  "psycopg2",
  "psycopg2-binary",
  "psycopg-c",
  "mysql-connector-python",
  "mysqlclient",
  "pymysql",
  "gunicorn",
  "celery",
  "dnspython",
  "locust",
  "locust-plugins",
  "pyee",
  "uvicorn",
  "python",
  "cpython",
]);

export interface VersionFact {
  version: string;
  /** Where we read it: "stated" (text) or "inferred" (trio line number). */
  source: "stated" | "inferred";
  textLine: number;
}

export interface PlatformFact {
  platform: Platform;
  /** The hint that decided it (our words). */
  because: string;
}

export type Patcher = "gevent" | "eventlet";

export interface PatcherFact {
  patcher: Patcher;
  /** How it is applied when we can tell: gunicorn worker, celery pool, locust, grequests, direct call. */
  via: "gunicorn" | "celery" | "locust" | "grequests" | "direct" | "mentioned";
  because: string;
}

export interface Context {
  platform: PlatformFact;
  versions: Map<string, VersionFact>;
  python: string | null;
  patchers: PatcherFact[];
}

function normPkg(name: string): string {
  return name.toLowerCase().replace(/_/g, "-");
}

const VERSION_START = /^v?\d+(\.\d+)+[a-z0-9.+-]*$/i;

function cleanVersion(tok: string): string | null {
  const t = tok.replace(/^[(`'"[]+|[)`'",;\]]+$/g, "");
  const v = t.replace(/\.+$/, "");
  if (v.length > 40 || !VERSION_START.test(v)) return null;
  return v.startsWith("v") || v.startsWith("V") ? v.slice(1) : v;
}

const PUNCT = new Set(["`", "'", '"', "(", ")", ":", ",", ";", "[", "]", "*"]);

/** Trim quote/bracket punctuation from both ends without a regex. */
function stripPunct(tok: string): string {
  let a = 0;
  let b = tok.length;
  while (a < b && PUNCT.has(tok[a] ?? "")) a++;
  while (b > a && PUNCT.has(tok[b - 1] ?? "")) b--;
  return tok.slice(a, b);
}

/** Lines worth tokenising hold a version-looking number and a pin or a known package name. */
const HAS_VERSION = /\d\.\d/;
const VERSION_LINE = new RegExp(
  `==|${[...KNOWN_PACKAGES].map((p) => p.replace(/-/g, "[-_]")).join("|")}`,
  "i",
);

/** Read `name==1.2.3`, `name 1.2.3`, `name: 1.2.3`, `name version: 1.2.3`, `Name: x / Version: y`. */
export function readVersions(lines: readonly string[]): Map<string, VersionFact> {
  const out = new Map<string, VersionFact>();
  const put = (pkg: string, version: string, textLine: number) => {
    const key = normPkg(pkg);
    if (!KNOWN_PACKAGES.has(key)) return;
    const k = key === "cpython" ? "python" : key === "psycopg2-binary" ? "psycopg2" : key;
    if (!out.has(k)) out.set(k, { version, source: "stated", textLine });
  };
  let pipShowName: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line.length > 4000) continue;
    const trimmed = line.trim();
    if (trimmed.startsWith("Name: ")) pipShowName = trimmed.slice(6).trim();
    else if (trimmed.startsWith("Version: ") && pipShowName !== null) {
      const v = cleanVersion(trimmed.slice(9).trim());
      if (v) put(pipShowName, v, i + 1);
      pipShowName = null;
    }
    if (!HAS_VERSION.test(trimmed) || !VERSION_LINE.test(trimmed)) continue;
    const toks = trimmed.split(/\s+/);
    for (let j = 0; j < toks.length; j++) {
      const tok = toks[j] ?? "";
      if (tok.length < 4 || tok.length > 60) continue;
      const eq = tok.indexOf("==");
      if (eq > 0) {
        const v = cleanVersion(tok.slice(eq + 2));
        const name = stripPunct(tok.slice(0, eq));
        const bracket = name.indexOf("[");
        if (v) put(bracket >= 0 ? name.slice(0, bracket) : name, v, i + 1);
        continue;
      }
      const name = stripPunct(tok);
      if (!KNOWN_PACKAGES.has(normPkg(name))) continue;
      // Look at the next few tokens for a version: "gevent version: 1.2.1", "locust   2.16.1".
      for (let k = j + 1; k < Math.min(toks.length, j + 4); k++) {
        const nt = toks[k] ?? "";
        const lw = nt.toLowerCase();
        if (lw === "version" || lw === "version:" || lw === ":" || lw === "=" || lw === "-" || lw === "v")
          continue;
        const v = cleanVersion(nt);
        if (v) put(name, v, i + 1);
        break;
      }
    }
  }
  return out;
}

/** trio version from the line number of `raise NotImplementedError` in trio/_core/_run.py. */
const TRIO_RUN_LINES: Record<number, string> = {
  2548: "0.22.x",
  2800: "0.24.0",
  2822: "0.25.0",
  2840: "0.25.1",
  2844: "0.26.1/0.26.2",
  2950: "0.27.0",
};

export function inferTrioVersion(tracebacks: readonly Traceback[]): VersionFact | null {
  for (const tb of tracebacks) {
    for (const f of tb.frames) {
      if (f.module === "trio._core._run" && f.line !== null) {
        const v = TRIO_RUN_LINES[f.line];
        if (v !== undefined) return { version: v, source: "inferred", textLine: f.textLine };
      }
    }
  }
  return null;
}

function pythonFromPaths(tracebacks: readonly Traceback[]): string | null {
  for (const tb of tracebacks) {
    for (const f of tb.frames) {
      const p = f.path.replace(/\\/g, "/").toLowerCase();
      const k = p.indexOf("/python3.");
      if (k >= 0) {
        let j = k + 9;
        let n = "";
        while (j < p.length && p.charCodeAt(j) >= 48 && p.charCodeAt(j) <= 57) n += p[j++];
        if (n !== "") return `3.${n}`;
      }
      // Windows installs: "Python38-32", "Python311"
      const w = p.indexOf("/python3");
      if (w >= 0) {
        let j = w + 8;
        let n = "";
        while (j < p.length && p.charCodeAt(j) >= 48 && p.charCodeAt(j) <= 57) n += p[j++];
        if (n.length >= 1 && n.length <= 2) return `3.${n}`;
      }
      if (p.includes("/python2.")) return "2.7";
    }
  }
  return null;
}

/** "Python 3.11.9", "python3.11", "cPython 3.9". */
function pythonFromText(lower: readonly string[]): string | null {
  for (const l of lower) {
    let from = 0;
    for (;;) {
      const i = l.indexOf("python", from);
      if (i < 0) break;
      from = i + 6;
      let j = i + 6;
      while (l[j] === " " || l[j] === ":" || l[j] === "v") j++;
      let v = "";
      while (j < l.length && ((l.charCodeAt(j) >= 48 && l.charCodeAt(j) <= 57) || l[j] === ".")) v += l[j++];
      const m = /^([23])\.(\d{1,2})/.exec(v);
      if (m) return `${m[1]}.${m[2]}`;
    }
  }
  return null;
}

interface Hint {
  platform: Platform;
  weight: number;
  because: string;
}

const PLATFORM_WORDS: Array<[string, Platform, number, string]> = [
  ["darwin", "macos", 4, "darwin"],
  ["macos", "macos", 3, "macOS"],
  ["mac os", "macos", 3, "macOS"],
  ["osx", "macos", 2, "OSX"],
  ["os x", "macos", 2, "OS X"],
  ["apple silicon", "macos", 3, "Apple silicon"],
  ["/users/", "macos", 2, "a /Users/ path"],
  ["/opt/homebrew", "macos", 3, "Homebrew paths"],
  [".dylib", "macos", 3, "a .dylib"],
  ["freebsd", "freebsd", 5, "FreeBSD"],
  ["linux", "linux", 2, "Linux"],
  ["ubuntu", "linux", 2, "Ubuntu"],
  ["debian", "linux", 2, "Debian"],
  ["centos", "linux", 2, "CentOS"],
  ["heroku", "linux", 2, "Heroku"],
  ["docker", "linux", 1, "Docker"],
  ["windows", "windows", 2, "Windows"],
  ["win32", "windows", 2, "win32"],
  ["c:\\", "windows", 3, "a C:\\ path"],
  ["android", "android", 3, "Android"],
  ["termux", "android", 4, "Termux"],
];
/** Lines that can hold a platform word (one literal alternation; details per word after). */
const PLATFORM_LINE = new RegExp(
  [...PLATFORM_WORDS.map(([w]) => w), "mac"].map((w) => w.replace(/[\\.^$|?*+()[\]{}/]/g, "\\$&")).join("|"),
);

function platformHints(lower: readonly string[], tracebacks: readonly Traceback[]): Hint[] {
  const hints: Hint[] = [];
  for (const tb of tracebacks) {
    // One hint per traceback: the first frame whose path says something.
    for (const f of tb.frames) {
      const p = f.path.toLowerCase();
      let h: Hint | null = null;
      if (
        p.startsWith("/users/") ||
        p.includes("/opt/homebrew/") ||
        p.includes("/library/frameworks/python.framework")
      )
        h = { platform: "macos", weight: 5, because: "macOS paths in the traceback" };
      else if (
        p.startsWith("/home/") ||
        p.startsWith("/usr/lib/python") ||
        p.startsWith("/app/") ||
        p.startsWith("/srv/")
      )
        h = { platform: "linux", weight: 2, because: "Linux paths in the traceback" };
      else if (/^[a-z]:[\\/]/.test(p) || p.includes("\\lib\\site-packages\\"))
        h = { platform: "windows", weight: 5, because: "Windows paths in the traceback" };
      else if (p.includes("/data/data/com.termux"))
        h = { platform: "android", weight: 5, because: "Termux paths in the traceback" };
      if (h !== null) {
        hints.push(h);
        break;
      }
    }
  }

  for (const l of lower) {
    if (!PLATFORM_LINE.test(l)) continue;
    for (const [w, platform, weight, because] of PLATFORM_WORDS) {
      if (hasWordPrefix(l, w)) hints.push({ platform, weight, because });
    }
    // "M1 mac", "Mac M2": Apple silicon chip names next to "mac".
    if (
      l.includes("mac") &&
      (hasWordPrefix(l, "m1") || hasWordPrefix(l, "m2") || hasWordPrefix(l, "m3") || hasWordPrefix(l, "m4"))
    )
      hints.push({ platform: "macos", weight: 3, because: "an Apple M-series Mac" });
  }
  return hints;
}

function decidePlatform(hints: Hint[]): PlatformFact {
  const score = new Map<Platform, { w: number; because: string }>();
  for (const h of hints) {
    const s = score.get(h.platform);
    if (s === undefined) score.set(h.platform, { w: h.weight, because: h.because });
    else s.w += h.weight;
  }
  let best: PlatformFact = { platform: "unknown", because: "no platform stated" };
  let bestW = 0;
  for (const [platform, s] of score) {
    if (s.w > bestW) {
      best = { platform, because: s.because };
      bestW = s.w;
    }
  }
  return best;
}

/** "gevent==1.2", "gevent 24.2.1", "- gevent>=23": a line that only lists the package and a version. */
export function isDependencyLine(lower: string, name: string): boolean {
  let t = lower.trim();
  if (t.startsWith("- ") || t.startsWith("* ")) t = t.slice(2).trim();
  if (!t.startsWith(name)) return false;
  let rest = t.slice(name.length);
  if (rest.startsWith("[")) rest = rest.slice(rest.indexOf("]") + 1);
  rest = rest.trimStart();
  for (const op of ["==", ">=", "<=", "~=", "!=", ">", "<", ":"]) {
    if (rest.startsWith(op)) {
      rest = rest.slice(op.length).trimStart();
      break;
    }
  }
  if (rest.startsWith("v")) rest = rest.slice(1);
  if (rest === "") return true;
  const c0 = rest.charCodeAt(0);
  if (c0 < 48 || c0 > 57) return false;
  // The version token, then nothing but more constraints (", <25").
  let i = 0;
  while (i < rest.length && /[0-9a-z.+-]/.test(rest[i] ?? "")) i++;
  const tail = rest.slice(i).trim();
  return tail === "" || tail.startsWith(",");
}

/** Lines that can say anything about patching (one literal alternation, then the details). */
const PATCHER_LINE = /gevent|eventlet|locust|grequests|curious_george|patch_all|monkey|-p |--pool/;

/** Detect the patcher and how it is applied. */
export function detectPatchers(lower: readonly string[], tracebacks: readonly Traceback[]): PatcherFact[] {
  const out: PatcherFact[] = [];
  const add = (f: PatcherFact) => {
    if (!out.some((o) => o.patcher === f.patcher && o.via === f.via)) out.push(f);
  };
  for (const tb of tracebacks) {
    for (const f of tb.frames) {
      if (f.module.startsWith("gunicorn.workers.ggevent"))
        add({
          patcher: "gevent",
          via: "gunicorn",
          because: "gunicorn's gevent worker (ggevent.py) in the traceback",
        });
      else if (f.module.startsWith("gunicorn.workers.geventlet"))
        add({ patcher: "eventlet", via: "gunicorn", because: "gunicorn's eventlet worker in the traceback" });
      else if (f.pkg === "locust")
        add({
          patcher: "gevent",
          via: "locust",
          because: "locust (which runs gevent's patch_all() when imported) in the traceback",
        });
      else if (f.pkg === "gevent")
        add({ patcher: "gevent", via: "mentioned", because: "gevent frames in the traceback" });
      else if (f.pkg === "eventlet")
        add({ patcher: "eventlet", via: "mentioned", because: "eventlet frames in the traceback" });
    }
  }
  for (const l of lower) {
    if (!PATCHER_LINE.test(l)) continue;
    if (
      l.includes("worker_class: gevent") ||
      l.includes('worker_class="gevent"') ||
      l.includes("worker-class gevent") ||
      l.includes("-k gevent") ||
      l.includes("gevent worker") ||
      l.includes("ggevent")
    )
      add({ patcher: "gevent", via: "gunicorn", because: "gunicorn with the gevent worker" });
    if (l.includes("-p gevent") || l.includes("--pool=gevent") || l.includes("--pool gevent"))
      add({ patcher: "gevent", via: "celery", because: "celery's gevent pool" });
    if (l.includes("-p eventlet") || l.includes("--pool=eventlet") || l.includes("--pool eventlet"))
      add({ patcher: "eventlet", via: "celery", because: "celery's eventlet pool" });
    if (hasWordPrefix(l, "grequests") || l.includes("curious_george"))
      add({
        patcher: "gevent",
        via: "grequests",
        because: "grequests, which patches with gevent when imported",
      });
    if (l.includes("patch_all(") || l.includes("monkey.patch_"))
      add({ patcher: "gevent", via: "direct", because: "a gevent patch_all() call" });
    if (l.includes("monkey_patch("))
      add({ patcher: "eventlet", via: "direct", because: "an eventlet.monkey_patch() call" });
    // A bare dependency listing ("gevent==24.2.1", "gevent  24.2.1" in pip list) only says it is
    // installed, not that anything patches: it does not count as a mention.
    if (hasWordPrefix(l, "gevent") && !isDependencyLine(l, "gevent"))
      add({ patcher: "gevent", via: "mentioned", because: "the report mentions gevent" });
    if (hasWordPrefix(l, "eventlet") && !isDependencyLine(l, "eventlet"))
      add({ patcher: "eventlet", via: "mentioned", because: "the report mentions eventlet" });
    if (hasWordPrefix(l, "locust"))
      add({
        patcher: "gevent",
        via: "locust",
        because: "locust, which runs gevent's patch_all() when imported",
      });
  }
  // Most specific first: a concrete mechanism beats a mention.
  const rank = { gunicorn: 0, celery: 0, locust: 0, grequests: 0, direct: 1, mentioned: 2 } as const;
  out.sort((a, b) => rank[a.via] - rank[b.via]);
  return out;
}

export function readContext(
  lines: readonly string[],
  lower: readonly string[],
  tracebacks: readonly Traceback[],
): Context {
  const versions = readVersions(lines);
  if (!versions.has("trio")) {
    const inferred = inferTrioVersion(tracebacks);
    if (inferred) versions.set("trio", inferred);
  }
  const statedPython = versions.get("python")?.version ?? null;
  const python =
    (statedPython ? statedPython.split(".").slice(0, 2).join(".") : null) ??
    pythonFromText(lower) ??
    pythonFromPaths(tracebacks);
  return {
    platform: decidePlatform(platformHints(lower, tracebacks)),
    versions,
    python,
    patchers: detectPatchers(lower, tracebacks),
  };
}

/** Compare dotted versions numerically on their leading numeric parts. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[./]/).map((x) => Number.parseInt(x, 10));
  const pb = b.split(/[./]/).map((x) => Number.parseInt(x, 10));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = Number.isNaN(pa[i] ?? 0) ? 0 : (pa[i] ?? 0);
    const y = Number.isNaN(pb[i] ?? 0) ? 0 : (pb[i] ?? 0);
    if (x !== y) return x - y;
  }
  return 0;
}
