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
        "`LoopExit` means the current greenlet switched to the gevent hub to wait (on an `Event`, a queue, a lock, a join, a socket), and the hub found nothing left that could ever wake it: no other greenlet runnable, no timer, no watched file descriptor.",
      ];
      if (grpcShown(ev))
        cause.push(
          "With grpc in the picture, the usual reason is that grpc's C core waits outside gevent's view (under gevent it needs `grpc.experimental.gevent.init_gevent()`), so the hub believes nothing is pending.",
        );
      if (poolShown(ev))
        cause.push(
          "With pools, a common cause is joining a pool from inside one of its own greenlets, or spawning into a full pool from its members, so the join waits on itself.",
        );
      return {
        summary:
          "gevent's hub ran out of things to do while a greenlet was still waiting: `LoopExit: This operation would block forever`.",
        cause,
      };
    },
    fixes: [
      {
        id: "start-the-waker",
        verified: { lab: ["gevent-loopexit", "fix-loopexit-producer"] },
        text: "Make sure whatever should wake the waiter (the producer greenlet, the `set()` of the event, the server greenlet) exists and is started before the wait, and is not blocked in C code that gevent cannot see.",
      },
      {
        id: "no-native-thread-waits",
        verified: {
          source:
            "gevent's documentation: each OS thread has its own hub; a hub wait cannot be woken from another thread (https://www.gevent.org/api/gevent.hub.html)",
        },
        lead: nativeThreadWaits,
        text: "Do not wait on the hub from a native (unpatched) thread, and do not share gevent objects between OS threads; patch with `monkey.patch_all()` first thing so threads are greenlets too.",
      },
      {
        id: "no-pool-self-join",
        verified: {
          source:
            "gevent's pool documentation (https://www.gevent.org/api/gevent.pool.html); corpus case gevent#368",
        },
        lead: poolShown,
        text: "Do not `join()` a pool from inside its own greenlets; give nested work its own pool or use `gevent.joinall` on the greenlets you spawned.",
      },
    ],
  },
  docs: {
    what: '`LoopExit` with "This operation would block forever", or the qualified `gevent.hub.LoopExit` / `gevent.exceptions.LoopExit` — `high`.',
    why: "A greenlet waits (event, queue, lock, join, socket) and the hub has nothing left that could wake it. Common causes: the producer never started, a pool joined from inside itself, waiting from a native thread, or C code (grpc) waiting outside gevent's view.",
    example: { lang: "text", code: "gevent.exceptions.LoopExit: This operation would block forever" },
  },
});
