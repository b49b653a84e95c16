import { defineRule, type IssueEvidence } from "../rule.js";
import { findLine } from "../text/evidence.js";
import type { Frame } from "../text/traceback.js";
import { CLOSE_CONNECTIONS, SPAWN } from "./shared/mentions.js";

const EVENTLET_TEXT = "do not call blocking functions from the mainloop";
const GEVENT_TEXT = "Impossible to call blocking function in the event loop callback";

/** Who the loop was running when it blocked, read from the traceback's frames (null: not shown). */
type Runner = "finalizer" | "signal" | "pool";

function frames(ev: IssueEvidence): Frame[] {
  const tb = ev.tracebacks.find((t) =>
    [EVENTLET_TEXT, GEVENT_TEXT].some((m) => t.exception?.message.includes(m) === true),
  );
  return tb?.frames ?? [];
}

function runner(ev: IssueEvidence): Runner | null {
  const fs = frames(ev);
  // SQLAlchemy returning a collected connection to its pool: `_finalize_fairy` / `_checkin` / reset.
  if (fs.some((f) => f.pkg === "sqlalchemy" && (f.func ?? "").includes("finalize"))) return "pool";
  if (fs.some((f) => f.func === "__del__")) return "finalizer";
  if (fs.some((f) => /^_?(handle_?signal|signal_handler|_?shutdown_handler|on_signal)$/i.test(f.func ?? "")))
    return "signal";
  return null;
}

const patcherOf = (ev: IssueEvidence) => (findLine(ev, GEVENT_TEXT) !== null ? "gevent" : "eventlet");
const pooled = (ev: IssueEvidence) => runner(ev) === "pool";

/** A green blocking call made by the event loop's own greenlet (a callback, signal handler or finalizer). */
export default defineRule({
  id: "blocking-call-in-loop",
  order: 105,
  title: "a blocking call made from the event loop itself",
  needs: { words: ["mainloop", "event loop callback"] },
  issue: {
    detect(ev) {
      const l = findLine(ev, EVENTLET_TEXT) ?? findLine(ev, GEVENT_TEXT);
      if (l === null) return null;
      return {
        confidence: "high",
        message: `Code run by ${patcherOf(ev)}'s event loop itself made a blocking (green) call.`,
        evidence: [{ ...l, kind: "exception" }],
      };
    },
    explain(ev) {
      const p = patcherOf(ev);
      const where: Record<Runner, string> = {
        pool: "The traceback shows SQLAlchemy's pool returning a connection from a garbage collection (`_finalize_fairy`): its reset talks to the database, and the collection happened while the loop was running.",
        finalizer:
          "The traceback shows a `__del__` finalizer making the call: a garbage collection ran it while the loop was running.",
        signal:
          "The traceback shows a signal handler making the call: Python runs handlers in whichever greenlet is current, and while the program waits for I/O that is the loop.",
      };
      const r = runner(ev);
      return {
        summary: `A blocking call (socket I/O, a sleep, a lock wait) was made from ${p}'s event loop greenlet, which cannot wait on itself. Ordinary blocking code elsewhere does not cause this.`,
        cause: [
          `${p === "gevent" ? "gevent" : "eventlet"} runs callbacks, timers, signal handlers that fire while it waits for I/O, and finalizers of objects collected at that moment on the loop's own greenlet. A green blocking call there would have to switch to the loop, which is already running, so ${p === "gevent" ? "gevent raises `BlockingSwitchOutError`" : "eventlet refuses (an `AssertionError` up to 0.35, a `RuntimeError` from 0.36)"}.`,
          ...(r ? [where[r]] : []),
        ],
      };
    },
    answered: [
      ["spawn", "greenlet", "close()", "context manager"],
      ["handler", "callback", "finalizer", "__del__"],
    ],
    fixes: [
      {
        id: "close-pooled-connections",
        mentioned: CLOSE_CONNECTIONS,
        verified: {
          source:
            "SQLAlchemy's pool (`_finalize_fairy` in sqlalchemy/pool/base.py): connections left to the garbage collector are reset from a finalizer, and it asks that they be returned explicitly, with `close()` or context managers; lab case eventlet-blocking-in-loop-finalizer shows a finalizer run by the loop failing",
        },
        when: pooled,
        whenDoc: "the traceback shows SQLAlchemy's pool finalizer",
        text: "Return connections to the pool explicitly, so that no reset runs in a garbage collection: `with engine.connect() as conn:` / `with Session() as session:` (or `session.close()` in a `finally`), also in error paths.",
      },
      {
        id: "spawn-from-callback",
        mentioned: SPAWN,
        verified: {
          lab: [
            "eventlet-blocking-in-loop-signal",
            "fix-eventlet-spawn-from-signal",
            "gevent-blocking-in-loop-finalizer",
            "fix-gevent-spawn-from-finalizer",
            "eventlet-blocking-in-loop-finalizer",
            "fix-eventlet-spawn-from-finalizer",
            "gevent-blocking-in-loop-signal",
            "fix-gevent-spawn-from-signal",
          ],
        },
        when: (ev) => !pooled(ev),
        whenDoc: "the call is not SQLAlchemy's own finalizer",
        text: (ev) =>
          `In the handler, callback or \`__del__\` that makes the call, start the blocking work in a new greenlet and return at once: \`${patcherOf(ev)}.spawn(work)\` instead of \`work()\`.`,
        doc: "In the handler, callback or `__del__` that makes the call, start the blocking work in a new greenlet and return at once: `eventlet.spawn(work)` / `gevent.spawn(work)` instead of `work()`.",
      },
    ],
  },
  docs: {
    upstream: [
      { name: "eventlet#932", url: "https://github.com/eventlet/eventlet/pull/932" },
      { name: "SQLAlchemy pooling", url: "https://docs.sqlalchemy.org/en/20/core/pooling.html" },
    ],
    what: "eventlet's `do not call blocking functions from the mainloop` (an `AssertionError` up to 0.35, a `RuntimeError` from 0.36) or gevent's `BlockingSwitchOutError: Impossible to call blocking function in the event loop callback` (`high`).",
    why: "Both libraries run callbacks, timers, signal handlers that fire while they wait for I/O, and finalizers of objects collected at that moment on the event loop's own greenlet; a green blocking call there cannot switch to the loop. Typical sources: a worker's shutdown signal handler, a pooled database connection reset by the garbage collector (SQLAlchemy's `_finalize_fairy`).",
    example: {
      lang: "text",
      code: `  File "/srv/app/.venv/lib/python3.12/site-packages/eventlet/hubs/__init__.py", line 141, in trampoline
    raise RuntimeError('do not call blocking functions from the mainloop')
RuntimeError: do not call blocking functions from the mainloop`,
    },
    notMatched:
      "asyncio's and Home Assistant's \"blocking call inside the event loop\" warnings: they concern synchronous code in coroutines, not green calls from the loop's greenlet.",
  },
});
