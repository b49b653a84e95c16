/**
 * gevent patching a process eventlet has already patched: gunicorn's eventlet worker (or
 * `-P eventlet`, or an `eventlet.monkey_patch()` earlier in the file) patches first, then the
 * app's own `monkey.patch_all()` hands `time.sleep` and sockets to gevent, and eventlet's green
 * threads stop taking turns (lab cases eventlet-then-gevent-blocks, eventlet-alone-cooperates).
 */
import { codeDraft, defineRule } from "../rule.js";
import { PATCH_NEEDS, patches } from "./shared/patcher.js";
import { runEvidence, runWords } from "./shared/process.js";

const EFFECT =
  "gevent then warns `Monkey-patching outside the main native thread` and takes `time.sleep` and sockets from eventlet: eventlet's green threads stop taking turns (two 0.5 s sleeps take 1 s).";

export default defineRule({
  id: "gevent-over-eventlet",
  order: 45,
  title: "gevent patching a process eventlet already patched",
  // The file's own gevent patch; "eventlet" when both patches are in it. A module with a patch
  // call that a run config loads is parsed in any case (its patch may be a second one).
  needs: { ...PATCH_NEEDS, source: [["eventlet"], ["patch_all", "grequests", "locust"]] },
  code: {
    detect(facts) {
      // Module-level patches only: patches in functions may be alternatives (celery picks one by
      // its `-P` option), and whether one runs at all is not known here.
      const own = patches(facts).filter((p) => p.moduleLevel);
      const gevent = own.find((p) => p.kind === "gevent");
      if (!gevent) return [];
      const eventlet = own.find((p) => p.kind === "eventlet" && p.line < gevent.line);
      const fix =
        "Use one green library per process: drop this gevent patch and let eventlet's do the work, or move the whole process to gevent (gunicorn's gevent worker, `-k gevent`).";
      if (eventlet)
        return [
          codeDraft(
            facts,
            gevent,
            `gevent patches here (line ${gevent.line}) a process that \`eventlet.monkey_patch()\` already patched (line ${eventlet.line}): ${EFFECT} ${fix}`,
            [gevent.line, eventlet.line],
            { confidence: "high" },
          ),
        ];
      const run = facts.context?.run;
      if (run?.patcher !== "eventlet") return [];
      const { who, where } = runWords(run);
      const draft = codeDraft(
        facts,
        gevent,
        `gevent patches here (line ${gevent.line}), but this module runs under ${who} (${where}), which patched with eventlet before loading it: ${EFFECT} ${fix}`,
        [gevent.line],
        { confidence: "medium" },
      );
      draft.evidence.push(runEvidence(run));
      return [draft];
    },
  },
  docs: {
    upstream: [
      {
        name: "gevent.monkey",
        url: "https://www.gevent.org/api/gevent.monkey.html",
      },
      { name: "eventlet patching", url: "https://eventlet.readthedocs.io/en/latest/patching.html" },
    ],
    what: "Code: a module-level gevent patch (`monkey.patch_all()` and the other `patch_*()` calls, `import grequests`, `import locust`) in a file that calls `eventlet.monkey_patch()` at module level before it — `high`; or in a module that a run config loads under eventlet (gunicorn's eventlet worker, celery's `-P eventlet`, a module-level `eventlet.monkey_patch()` that imports it) — `medium`, quoting the run. Reported on the gevent patch.",
    why: "Each library replaces `time`, `socket`, `select` and `threading` with its own cooperative versions and runs its own hub. The second patch (gevent's) wins for everything loaded afterwards, so eventlet's green threads call gevent's blocking primitives from outside gevent's hub: they no longer yield to each other. gevent says so with `MonkeyPatchWarning: Monkey-patching outside the main native thread` (lab case eventlet-then-gevent-blocks: two eventlet green threads sleeping 0.5 s take 1 s; without the gevent patch, 0.5 s: eventlet-alone-cooperates).",
    example: {
      lang: "python",
      code: "# served by: gunicorn app:app --worker-class eventlet\nfrom gevent import monkey\n\nmonkey.patch_all()  # <- reported here",
    },
    fix: "Pick one library per process. Under an eventlet worker, remove the app's gevent patch (and settings such as Flask-SocketIO's `async_mode=\"gevent\"`); or serve with gunicorn's gevent worker and drop eventlet.",
    notMatched:
      "gevent first and eventlet after (not run in the lab); patches inside functions (often alternatives chosen by an option, as in celery); a gevent patch in a module that no eventlet run loads; test files.",
  },
});
