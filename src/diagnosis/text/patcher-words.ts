/**
 * How a patcher came into a program, in our words: a short clause for "Shown here" and a long one
 * for the cause. One table, so the two never disagree.
 */
import { literal } from "../inline.js";
import type { PatcherFact } from "./context.js";

/** How the patch is applied, in a clause: "gunicorn's gevent worker (it patches ...)". */
export function patcherHow(p: PatcherFact | null): string {
  if (p === null) return "gevent or eventlet monkey-patching";
  return (
    patcherPhrases(p)?.[1] ??
    (p.patcher === "gevent" ? "gevent's monkey-patching" : "eventlet's monkey-patching")
  );
}

/** The same, as a short clause ("gunicorn's gevent worker"); null when only the library was named. */
export function patcherShort(p: PatcherFact): string | null {
  return patcherPhrases(p)?.[0] ?? null;
}

/** [short, long] for each way a patcher comes in (one table, so the two never disagree). */
function patcherPhrases(p: PatcherFact): [string, string] | null {
  const call = p.patcher === "gevent" ? "gevent's `patch_all()`" : "`eventlet.monkey_patch()`";
  switch (p.via) {
    case "gunicorn":
      return [
        `gunicorn's ${p.patcher} worker`,
        `gunicorn's ${p.patcher} worker (it patches before it loads your app)`,
      ];
    case "celery":
      return [
        `celery's ${p.patcher} pool`,
        `celery's ${p.patcher} pool (it patches before your tasks are imported)`,
      ];
    case "locust":
      return [
        "locust patches on import",
        "locust (it calls gevent's `monkey.patch_all()` as soon as it is imported)",
      ];
    case "grequests":
      return [
        "grequests patches on import",
        "grequests (it calls gevent's `patch_all()` when it is imported)",
      ];
    case "library": {
      const lib = literal(p.library ?? "a library", 40);
      return [`${lib} patches on import`, `${lib} (it calls ${call} when it is imported)`];
    }
    case "greendns":
      return [
        "eventlet imported (its DNS module), no `monkey_patch()`",
        "eventlet itself, with no `monkey_patch()` call: a bare `import eventlet` (a library may do it just because eventlet is installed) imports eventlet's greendns, which imports dnspython with a green `select` in place",
      ];
    case "direct":
      return p.patcher === "gevent"
        ? ["`monkey.patch_all()`", "gevent's `monkey.patch_all()`"]
        : ["`eventlet.monkey_patch()`", "`eventlet.monkey_patch()`"];
    default:
      return null;
  }
}
