import { literal } from "../inline.js";
import { defineRule, type IssueEvidence } from "../rule.js";
import { findLine } from "../text/evidence.js";
import { inRange, versionOf } from "../text/versions.js";
import { GTHREAD, GUNICORN_25, UPGRADE_GEVENT } from "./shared/mentions.js";

/** gunicorn's text when `-k eventlet` names no worker it has (26.0 removed it). */
const ENTRY_POINT = "Entry point ('gunicorn.workers', 'eventlet') not found";
const CLASS_URI = "class uri 'eventlet' invalid or not found";
/** gunicorn ≥ 24's text when gevent is missing or older than 24.10.1. */
const GEVENT_TOO_OLD = "gevent worker requires gevent 24.10.1 or higher";

function eventletSignal(ev: IssueEvidence) {
  const exact = findLine(ev, ENTRY_POINT);
  if (exact !== null) return exact;
  // The class-uri line alone is also what older gunicorn prints when importing its eventlet worker
  // fails (eventlet missing or broken): it means "removed" only with gunicorn ≥ 26 stated.
  const uri = findLine(ev, CLASS_URI);
  return uri !== null && inRange(versionOf(ev, "gunicorn"), "26", null) === true ? uri : null;
}

const removed = (ev: IssueEvidence) => eventletSignal(ev) !== null;
const SOURCE_26 =
  "gunicorn 26.0.0's release notes: eventlet worker removed, migrate to gevent, gthread or tornado (https://github.com/benoitc/gunicorn/releases/tag/26.0.0, benoitc/gunicorn#3623); 25.x registers it as deprecated";

/** gunicorn cannot load the worker class it was asked for: eventlet's (gone in 26) or gevent's (too old). */
export default defineRule({
  id: "gunicorn-worker-unavailable",
  order: 95,
  title: "gunicorn cannot load its eventlet or gevent worker",
  needs: { words: ["class uri", "gevent worker requires"] },
  issue: {
    detect(ev) {
      const eventlet = eventletSignal(ev);
      if (eventlet !== null)
        return {
          confidence: "high",
          message: "gunicorn has no eventlet worker: gunicorn 26.0 removed it.",
          evidence: [{ ...eventlet, kind: "exception" }],
        };
      const gevent = findLine(ev, GEVENT_TOO_OLD);
      if (gevent === null) return null;
      return {
        confidence: "high",
        message: "gunicorn's gevent worker needs gevent 24.10.1 or newer, and it is missing or older.",
        evidence: [{ ...gevent, kind: "exception" }],
      };
    },
    explain(ev) {
      if (removed(ev)) {
        const v = versionOf(ev, "gunicorn");
        return {
          summary:
            'gunicorn 26.0 removed its eventlet worker, so `-k eventlet` (or `worker_class = "eventlet"`) names a worker it no longer has. Nothing is wrong with eventlet itself.',
          cause: [
            `gunicorn looks the name up among its workers and then among installed entry points; since 26.0 \`eventlet\` is in neither, so it stops at start with \`class uri 'eventlet' invalid or not found\`${v ? ` (gunicorn ${literal(v, 30)} in this report)` : ""}. gunicorn 25 still had the worker, marked deprecated.`,
          ],
        };
      }
      const g = versionOf(ev, "gevent");
      return {
        summary:
          "gunicorn's gevent worker refuses to start: since gunicorn 24.0 it needs gevent 24.10.1 or newer, and gevent is missing or older.",
        cause: [
          `gunicorn 24.0 and later check gevent's version when the gevent worker is loaded (gevent 24.10.1 fixes CVE-2024-3219) and raise this \`RuntimeError\` when gevent cannot be imported or is older${g ? `; this report shows gevent ${literal(g, 30)}` : ""}.`,
        ],
      };
    },
    answered: [["gunicorn"], ["26", "gthread", "24.10", "upgrade gevent", "pin"]],
    fixes: [
      {
        id: "pin-gunicorn-25",
        mentioned: GUNICORN_25,
        verified: { source: SOURCE_26 },
        when: removed,
        whenDoc: "gunicorn has no eventlet worker",
        text: 'To keep the eventlet worker while you move off it, pin `gunicorn<26` (for example `pip install "gunicorn<26"`): gunicorn 25 still has it, deprecated.',
      },
      {
        id: "gthread-worker",
        mentioned: GTHREAD,
        verified: { lab: ["gunicorn-26-no-eventlet-worker", "fix-gunicorn-gthread-worker"] },
        when: removed,
        whenDoc: "gunicorn has no eventlet worker",
        text: "If the app does not use eventlet itself (no `eventlet.spawn`, no green sockets or pools of its own), switch to threads: `-k gthread`, with `--threads` for concurrency.",
      },
      {
        id: "gevent-worker",
        verified: {
          source: `${SOURCE_26}; its gevent extra requires gevent>=24.10.1 (lab case gunicorn-26-gevent-needs-24.10 shows older gevent refused)`,
        },
        when: removed,
        whenDoc: "gunicorn has no eventlet worker",
        text: 'For a green worker, move to gevent: `pip install "gunicorn[gevent]"` (it brings gevent 24.10.1 or newer) and `-k gevent`; code that calls eventlet APIs has to move to their gevent equivalents.',
      },
      {
        id: "upgrade-gevent",
        mentioned: UPGRADE_GEVENT,
        verified: {
          source:
            "gunicorn's gevent worker (gunicorn/workers/ggevent.py, 24.0 and later) raises this unless gevent ≥ 24.10.1 imports; lab case gunicorn-26-gevent-needs-24.10",
        },
        when: (ev) => !removed(ev),
        whenDoc: "the gevent worker refused gevent",
        text: 'Install gevent 24.10.1 or newer in the environment gunicorn runs in: `pip install -U "gunicorn[gevent]"` (or `pip install -U "gevent>=24.10.1"`).',
      },
    ],
  },
  docs: {
    upstream: [
      { name: "gunicorn 26.0.0", url: "https://github.com/benoitc/gunicorn/releases/tag/26.0.0" },
      { name: "gunicorn#3623", url: "https://github.com/benoitc/gunicorn/pull/3623" },
    ],
    what: `- gunicorn's \`Entry point ('gunicorn.workers', 'eventlet') not found\`, or \`class uri 'eventlet' invalid or not found\` with gunicorn ≥ 26 stated (\`high\`): gunicorn 26 removed the eventlet worker.
- \`gevent worker requires gevent 24.10.1 or higher\` (\`high\`): gunicorn ≥ 24 with gevent missing or older.`,
    why: "gunicorn 26.0 dropped its eventlet worker (eventlet is deprecated upstream); `-k eventlet` then matches no built-in worker and no entry point. Since 24.0 its gevent worker checks that gevent ≥ 24.10.1 (CVE-2024-3219) imports.",
    example: {
      lang: "text",
      code: `Error: class uri 'eventlet' invalid or not found:

[Traceback (most recent call last):
  File "/srv/app/.venv/lib/python3.12/site-packages/gunicorn/util.py", line 119, in load_class
    return load_entry_point(
  File "/srv/app/.venv/lib/python3.12/site-packages/gunicorn/util.py", line 84, in load_entry_point
    raise ImportError("Entry point %r not found" % ((group, name),))
ImportError: Entry point ('gunicorn.workers', 'eventlet') not found
]`,
    },
    notMatched:
      "`class uri 'eventlet' invalid or not found` with an older or unknown gunicorn and no entry-point line: older gunicorn prints it too when importing its eventlet worker fails (eventlet missing or incompatible).",
  },
});
