import type { Rule } from "../rule.js";
import { findLine } from "../text/evidence.js";

const rule: Rule = {
  id: "gevent-loopexit",
  title: "gevent LoopExit: a wait nothing can wake",
  issue: {
    detect(ev) {
      const l =
        findLine(ev, "LoopExit", "This operation would block forever") ??
        findLine(ev, "gevent.hub.LoopExit") ??
        findLine(ev, "gevent.exceptions.LoopExit");
      if (l === null) return null;
      return {
        rule: rule.id,
        confidence: "high",
        message: "A greenlet waited on something no other greenlet can ever wake.",
        evidence: [{ ...l, kind: "exception" }],
      };
    },
    explain(_f, ev) {
      const grpc = ev.lower.some((l) => l.includes("grpc"));
      const pool = ev.lower.some(
        (l) => l.includes("pool.join") || l.includes(".join()") || l.includes("pool("),
      );
      const cause = [
        "`LoopExit` means the current greenlet switched to the gevent hub to wait (on an `Event`, a queue, a lock, a join, a socket), and the hub found nothing left that could ever wake it: no other greenlet runnable, no timer, no watched file descriptor.",
      ];
      if (grpc)
        cause.push(
          "With grpc in the picture, the usual reason is that grpc's C core waits outside gevent's view, so the hub believes nothing is pending (see the gevent-grpc diagnosis).",
        );
      if (pool)
        cause.push(
          "With pools, a common cause is joining a pool from inside one of its own greenlets, or spawning into a full pool from its members, so the join waits on itself.",
        );
      return {
        summary:
          "gevent's hub ran out of things to do while a greenlet was still waiting: `LoopExit: This operation would block forever`.",
        cause,
        fixes: [
          "Make sure whatever should wake the waiter (the producer greenlet, the `set()` of the event, the server greenlet) exists and is started before the wait, and is not blocked in C code that gevent cannot see.",
          "Do not wait on the hub from a native (unpatched) thread, and do not share gevent objects between OS threads; patch with `monkey.patch_all()` first thing so threads are greenlets too.",
          "Do not `join()` a pool from inside its own greenlets; give nested work its own pool or use `gevent.joinall` on the greenlets you spawned.",
        ],
      };
    },
  },
};

export default rule;
