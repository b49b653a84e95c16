/** Which patcher a report shows (gevent, eventlet) and how it is applied. */
import { hasWordPrefix } from "./lines.js";
import type { Traceback } from "./traceback.js";

export type Patcher = "gevent" | "eventlet";

export interface PatcherFact {
  patcher: Patcher;
  /**
   * How it is applied when we can tell: gunicorn worker, celery pool, locust, grequests, a direct
   * call, a library that patches when imported, or eventlet's greendns (a bare `import eventlet`).
   */
  via: "gunicorn" | "celery" | "locust" | "grequests" | "library" | "greendns" | "direct" | "mentioned";
  because: string;
  /** The library that patches when imported (`via: "library"`). */
  library?: string;
  /** A mention that proves the patcher is active (its frames, its green modules in the error). */
  strong?: boolean;
}

/** Packages whose frames may show a patch call without being the user's own patching. */
const PATCHER_PACKAGES = new Set([
  "gevent",
  "eventlet",
  "gunicorn",
  "locust",
  "grequests",
  "celery",
  "stdlib",
  "app",
  "frozen",
  "",
]);

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

/** Packages a patch warning may point into without being a library that patches on import. */
const NOT_A_LIBRARY = new Set([
  "gevent",
  "gunicorn",
  "locust",
  "grequests",
  "celery",
  "eventlet",
  "greenlet",
]);

/** The package a `MonkeyPatchWarning` (or the older `RuntimeWarning`) points into, if any. */
function warningLibrary(l: string): string | null {
  if (!l.includes("monkey-patching ssl after ssl") || !l.includes("site-packages/")) return null;
  const at = l.indexOf("site-packages/");
  const rest = l.slice(at + 14);
  const name = rest.split(/[/:.]/)[0] ?? "";
  const warnAt = l.indexOf("warning:");
  // The location must come before the warning itself ("path:line: MonkeyPatchWarning: ...").
  if (warnAt < 0 || at > warnAt || !/^[a-z0-9_]{2,60}$/.test(name) || NOT_A_LIBRARY.has(name)) return null;
  return name;
}

/**
 * A frame of eventlet's greendns importing dnspython (its module body, `import_patched`): the
 * bare-import story. A greendns frame resolving a name at run time (`getaddrinfo`) is not it.
 */
export function greendnsImportFrame(f: { module: string; func: string | null }): boolean {
  return (
    f.module.startsWith("eventlet.support.greendns") &&
    (f.func === null || f.func === "<module>" || f.func === "import_patched")
  );
}

/** Detect the patcher and how it is applied. */
export function detectPatchers(lower: readonly string[], tracebacks: readonly Traceback[]): PatcherFact[] {
  const out: PatcherFact[] = [];
  const add = (f: PatcherFact) => {
    const i = out.findIndex((o) => o.patcher === f.patcher && o.via === f.via);
    if (i < 0) out.push(f);
    else if (f.strong && !out[i]?.strong) out[i] = f; // proof beats a mention
  };
  for (const tb of tracebacks) {
    for (const f of tb.frames) {
      const src = (f.source ?? "").trim();
      // `import eventlet` runs eventlet/__init__ -> convenience -> green.socket -> greendns: a
      // traceback that ends inside that import is the greendns path, patched or not.
      const lastOfImport =
        (f.module === "eventlet" ||
          f.module === "eventlet.convenience" ||
          f.module === "eventlet.green.socket") &&
        f === tb.frames[tb.frames.length - 1] &&
        tb.exception === null;
      // greendns at import time (its module body, `import_patched`) is the bare-import story; a
      // greendns frame resolving a name at run time only shows eventlet's green DNS in use.
      const greendnsImport = greendnsImportFrame(f);
      if (f.module.startsWith("eventlet.support.greendns") && !greendnsImport)
        add({
          patcher: "eventlet",
          via: "mentioned",
          because: "eventlet's green DNS resolver in the traceback",
          strong: true,
        });
      else if (greendnsImport || lastOfImport)
        add({
          patcher: "eventlet",
          via: "greendns",
          because: lastOfImport
            ? "an `import eventlet` in the traceback (it imports eventlet's greendns)"
            : "eventlet's greendns in the traceback (a bare `import eventlet` does this)",
        });
      else if (
        !PATCHER_PACKAGES.has(f.pkg) &&
        (src.includes("patch_all(") || src.includes("monkey_patch(")) &&
        (f.func === "<module>" || f.func === null)
      )
        add({
          patcher: src.includes("monkey_patch(") ? "eventlet" : "gevent",
          via: "library",
          library: f.pkg,
          because: `${f.pkg} patches when it is imported (its module calls ${src.includes("monkey_patch(") ? "eventlet.monkey_patch()" : "patch_all()"})`,
        });
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
        add({ patcher: "gevent", via: "mentioned", because: "gevent frames in the traceback", strong: true });
      else if (f.pkg === "eventlet")
        add({
          patcher: "eventlet",
          via: "mentioned",
          because: "eventlet frames in the traceback",
          strong: true,
        });
    }
  }
  for (let i = 0; i < lower.length; i++) {
    const l = lower[i] ?? "";
    // A warning's location: `.../site-packages/wampy/__init__.py:28: MonkeyPatchWarning: ...`
    // (sometimes broken after the location by the reporter).
    const lib = l.includes("site-packages/")
      ? warningLibrary(l.trimEnd().endsWith(":") ? `${l} ${lower[i + 1] ?? ""}` : l)
      : null;
    if (lib !== null)
      add({
        patcher: "gevent",
        via: "library",
        library: lib,
        because: `${lib} patches when it is imported (gevent's warning points into it)`,
      });
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
    // eventlet ≥ 0.41 warns on import (eventlet/__init__.py): proof that eventlet was imported,
    // not that anything called monkey_patch().
    if (l.includes("eventletdeprecationwarning"))
      add({
        patcher: "eventlet",
        via: "mentioned",
        because: "eventlet's deprecation warning (eventlet 0.41 and later print it when imported)",
        strong: true,
      });
    if (l.includes("'eventlet.green.select'") || l.includes("module 'gevent.select'"))
      add({
        patcher: l.includes("'eventlet.green.select'") ? "eventlet" : "gevent",
        via: "mentioned",
        because: `the error names ${l.includes("'eventlet.green.select'") ? "eventlet's green" : "gevent's"} select module`,
        strong: true,
      });
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
  const rank = {
    gunicorn: 0,
    celery: 0,
    locust: 0,
    grequests: 0,
    library: 0,
    greendns: 0,
    direct: 1,
    mentioned: 2,
  } as const;
  out.sort((a, b) => rank[a.via] - rank[b.via]);
  return out;
}
