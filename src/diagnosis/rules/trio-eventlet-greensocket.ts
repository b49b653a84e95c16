import { defineRule, type IssueEvidence } from "../rule.js";
import { findLine, mentions } from "../text/evidence.js";
import { patcher } from "./shared/patcher.js";
import { TRIO_WORDS, trioChainCause, trioFixes } from "./trio/shared.js";

/** The thread shows a hand-made `select.epoll` (or a fake `select` module). */
function standInShown(ev: IssueEvidence): boolean {
  return ev.lower.some(
    (l) =>
      l.includes("select.epoll =") ||
      l.includes("select.epoll=") ||
      l.includes("sys.modules['select']") ||
      l.includes('sys.modules["select"]'),
  );
}

export default defineRule({
  id: "trio-eventlet-greensocket",
  order: 30,
  title: "trio imported after eventlet replaced socket.socket",
  needs: { words: [...TRIO_WORDS, "greensocket"] },
  // Under eventlet the GreenSocket failure is the later wall: the epoll story is then history.
  excludes: ["trio-epoll-missing"],
  issue: {
    detect(ev) {
      const exact = findLine(ev, "'GreenSocket' has no attribute 'sendmsg'");
      if (exact !== null) {
        return {
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
        confidence: "medium",
        message: "trio was imported after eventlet replaced `socket.socket`.",
        evidence: [{ ...generic, kind: "exception" }],
      };
    },
    explain(ev) {
      const cause = [
        `When imported, trio wraps \`socket.socket\` methods, \`sendmsg\` among them; ${patcher(ev)?.via === "greendns" ? "eventlet's green socket was in place while its DNS module imported dnspython (no `monkey_patch()` call needed)" : "eventlet had replaced it with `GreenSocket`, which has no `sendmsg`"}.`,
      ];
      if (standInShown(ev))
        cause.push(
          "The report's hand-made `select.epoll` stand-in only hid the first error: trio cannot run patched by eventlet.",
        );
      const chain = trioChainCause(ev);
      if (chain) cause.push(chain);
      return {
        summary:
          "trio is imported after eventlet replaced `socket.socket` with `GreenSocket`; trio cannot work in an eventlet-patched process.",
        cause,
      };
    },
    answered: [
      ["gevent", "eventlet", "monkey"],
      ["trio", "greendns", "dnspython", "httpcore", "httpx"],
    ],
    fixes: [
      ...trioFixes("greensocket"),
      {
        id: "remove-epoll-stand-in",
        verified: { lab: ["trio-eventlet-linux-trio-0.34"] },
        text: "Remove the hand-made stand-in for `select.epoll`: it hides the first error and breaks other libraries.",
        when: standInShown,
        whenDoc: "the report replaces `select.epoll` (or the `select` module) by hand",
      },
    ],
  },
  docs: {
    upstream: [
      { name: "trio#3015", url: "https://github.com/python-trio/trio/issues/3015" },
      {
        name: "eventlet's greendns",
        url: "https://github.com/eventlet/eventlet/blob/master/eventlet/support/greendns.py",
      },
    ],
    what: "The exact `'GreenSocket' has no attribute 'sendmsg'` text (`high`); or `has no attribute 'sendmsg'` with a `trio/_socket.py` frame and eventlet patching in the text (`medium`).",
    why: "`trio/_socket.py` wraps methods of the stdlib socket class (`sendmsg` among them) when it is imported. eventlet's `GreenSocket` has no `sendmsg`. With trio ≥ 0.26 under eventlet it is the failure of `import trio` on Linux; with older trio it follows once the epoll failure is papered over (for example by a fake `select.epoll`).",
    example: {
      lang: "text",
      code: `  File "/usr/lib/python3.12/site-packages/trio/_socket.py", line 1090, in _SocketType
    @_wraps(_stdlib_socket.socket.sendmsg, assigned=(), updated=())
AttributeError: type object 'GreenSocket' has no attribute 'sendmsg'`,
    },
    notMatched:
      "The same `sendmsg` failure caused by a test double replacing `socket.socket` (e.g. HTTPretty) with no eventlet involved.",
  },
});
