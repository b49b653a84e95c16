import { defineRule, type IssueEvidence } from "../rule.js";
import { findLine } from "../text/evidence.js";

/** The waiting greenlet runs in a native thread (a thread pool worker, `threading`). */
const nativeThreadWaits = (ev: IssueEvidence) =>
  ev.tracebacks.some((tb) =>
    tb.frames.some((f) => {
      const p = f.path.replace(/\\/g, "/");
      return p.endsWith("concurrent/futures/thread.py") || (p.endsWith("/threading.py") && f.func === "run");
    }),
  );

const grpcShown = (ev: IssueEvidence) => ev.lower.some((l) => l.includes("grpc"));
const poolShown = (ev: IssueEvidence) =>
  ev.lower.some((l) => l.includes("pool.join") || l.includes(".join()") || l.includes("pool("));

export default defineRule({
  id: "gevent-loopexit",
  order: 80,
  title: "gevent LoopExit: a wait nothing can wake",
  needs: { words: ["loopexit"] },
  issue: {
    detect(ev) {
      const l =
        findLine(ev, "LoopExit", "This operation would block forever") ??
        findLine(ev, "gevent.hub.LoopExit") ??
        findLine(ev, "gevent.exceptions.LoopExit");
      if (l === null) return null;
      return {
        confidence: "high",
        message: "A greenlet waited on something no other greenlet can ever wake.",
        evidence: [{ ...l, kind: "exception" }],
      };
    },
    explain(ev) {
      const cause = [
        "A greenlet waited (an `Event`, queue, lock, join or socket) and the hub had nothing left that could wake it: no runnable greenlet, timer or watched socket.",
      ];
      if (grpcShown(ev))
        cause.push("With grpc, its C core usually waits outside gevent's view (it needs `init_gevent()`).");
      if (poolShown(ev))
        cause.push(
          "With a pool, a join from inside its own greenlets (or spawning into a full pool from them) waits on itself.",
        );
      return {
        summary:
          "gevent's hub ran out of work while a greenlet still waited: `LoopExit: This operation would block forever`.",
        cause,
      };
    },
    fixes: [
      {
        id: "start-the-waker",
        verified: { lab: ["gevent-loopexit", "fix-loopexit-producer"] },
        text: "Start whatever should wake the waiter (the producer greenlet, the event's `set()`) before the wait, and keep it out of C code gevent cannot see.",
      },
      {
        id: "no-native-thread-waits",
        verified: {
          source:
            "gevent's documentation: each OS thread has its own hub; a hub wait cannot be woken from another thread (https://www.gevent.org/api/gevent.hub.html)",
        },
        lead: nativeThreadWaits,
        text: "Do not wait on the hub from a native thread or share gevent objects across OS threads; `monkey.patch_all()` first thing makes threads greenlets.",
      },
      {
        id: "no-pool-self-join",
        verified: {
          source:
            "gevent's pool documentation (https://www.gevent.org/api/gevent.pool.html); corpus case gevent#368",
        },
        lead: poolShown,
        text: "Do not `join()` a pool from its own greenlets; give nested work its own pool, or `gevent.joinall` what you spawned.",
      },
    ],
  },
  docs: {
    upstream: [
      { name: "gevent#368", url: "https://github.com/gevent/gevent/issues/368" },
      { name: "gevent.hub", url: "https://www.gevent.org/api/gevent.hub.html" },
    ],
    what: '`LoopExit` with "This operation would block forever", or the qualified `gevent.hub.LoopExit` / `gevent.exceptions.LoopExit` — `high`.',
    why: "A greenlet waits (event, queue, lock, join, socket) and the hub has nothing left that could wake it. Common causes: the producer never started, a pool joined from inside itself, waiting from a native thread, or C code (grpc) waiting outside gevent's view.",
    example: { lang: "text", code: "gevent.exceptions.LoopExit: This operation would block forever" },
  },
});
