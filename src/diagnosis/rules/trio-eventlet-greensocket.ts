import { patcher, trioChainCause, trioFixes } from "../knowledge.js";
import type { Rule } from "../rule.js";
import { findLine, mentions } from "../text/evidence.js";

const rule: Rule = {
  id: "trio-eventlet-greensocket",
  title: "trio imported after eventlet replaced socket.socket",
  issue: {
    detect(ev) {
      const exact = findLine(ev, "'GreenSocket' has no attribute 'sendmsg'");
      if (exact !== null) {
        return {
          rule: rule.id,
          confidence: "high",
          message: "trio was imported after eventlet replaced `socket.socket` with its GreenSocket.",
          evidence: [{ ...exact, kind: "exception" }],
        };
      }
      // The same failure naming the class differently, with a trio/_socket.py frame and eventlet in play.
      const generic = findLine(ev, "has no attribute 'sendmsg'");
      if (generic === null || !mentions(ev, "eventlet") || patcher(ev)?.patcher !== "eventlet") return null;
      const trioSocket = ev.tracebacks.some((tb) => tb.frames.some((f) => f.module === "trio._socket"));
      if (!trioSocket) return null;
      return {
        rule: rule.id,
        confidence: "medium",
        message: "trio was imported after eventlet replaced `socket.socket`.",
        evidence: [{ ...generic, kind: "exception" }],
      };
    },
    explain(_f, ev) {
      const cause = [
        "When trio is imported, `trio/_socket.py` wraps methods of the standard `socket.socket` class, `sendmsg` among them, at class-definition time. `eventlet.monkey_patch()` (or a green import) had already replaced `socket.socket` with eventlet's `GreenSocket`, which has no `sendmsg`, so the import fails.",
        "It is the next wall after the epoll failure: faking `select.epoll` or importing in another order only moves the crash, because trio cannot run inside an eventlet-patched process.",
      ];
      const chain = trioChainCause(ev);
      if (chain) cause.push(chain);
      return {
        summary:
          "trio is imported after eventlet replaced `socket.socket` with `GreenSocket`; trio cannot work in an eventlet-patched process.",
        cause,
        fixes: trioFixes(ev, { failure: "greensocket" }).concat(
          "Remove any hand-made stand-in for `select.epoll` (a fake `select` module in `sys.modules`): it hides the first error and breaks other libraries.",
        ),
      };
    },
  },
};

export default rule;
