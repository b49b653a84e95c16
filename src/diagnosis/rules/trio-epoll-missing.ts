import { defineRule } from "../rule.js";
import type { Evidence } from "../types.js";
import { patcher, patcherEvidence, patcherName } from "./shared/patcher.js";
import {
  cutAtEpollBackend,
  epollSignal,
  epollTrioLink,
  notTheirBug,
  patchedSelect,
  proseTrioChain,
  TRIO_WORDS,
  trioChainCause,
  trioFixes,
} from "./trio/shared.js";

export default defineRule({
  id: "trio-epoll-missing",
  order: 20,
  title: "trio's epoll backend under gevent/eventlet (Linux)",
  needs: { words: TRIO_WORDS },
  // Its own variant of the generic failure: the generic rule stays silent when this one fires.
  excludes: ["select-primitive-removed"],
  issue: {
    detect(ev) {
      const p = patcher(ev);
      const signal = epollSignal(ev);
      if (signal === null) {
        // A traceback cut inside trio's epoll backend setup, or a described failure on Linux.
        const cut = cutAtEpollBackend(ev);
        if (cut !== null && p !== null)
          return {
            confidence: "medium",
            message:
              "The traceback stops where trio sets up its epoll backend at import, in a patched process.",
            evidence: [cut, patcherEvidence(p)],
          };
        const prose = ev.context.platform.platform === "linux" ? proseTrioChain(ev) : null;
        if (prose === null || p === null) return null;
        return {
          confidence: "medium",
          message:
            "The report describes a patched process failing once a library that imports trio is installed.",
          evidence: [prose.evidence, patcherEvidence(p)],
        };
      }
      const link = epollTrioLink(ev);
      if (link === null) return null;
      if (ev.context.platform.platform === "macos" && p === null) return null;
      const evidence: Evidence[] = [signal, link];
      if (p) evidence.push(patcherEvidence(p));
      return {
        confidence: p !== null || link.kind === "frame" ? "high" : "medium",
        message: "trio's epoll backend found `select.epoll` deleted by monkey-patching.",
        evidence,
      };
    },
    explain(ev) {
      const p = patcher(ev);
      if (p?.via === "greendns" && epollSignal(ev) === null) {
        // eventlet imported, the error itself not shown: which one trio raised depends on its version.
        const chain = trioChainCause(ev);
        return {
          summary: `trio's import fails inside eventlet's DNS import, where eventlet's green \`socket\` and \`select\` are in place${notTheirBug(ev)}.`,
          cause: [
            `${patchedSelect(ev, ["epoll"])}. On Linux trio 0.17 – 0.25 then fail on the missing \`select.epoll\`, later ones on \`GreenSocket.sendmsg\`.`,
            ...(chain ? [chain] : []),
          ],
        };
      }
      const cause = [
        `On Linux, trio 0.17 – 0.25 create \`select.epoll()\` when imported (≥ 0.26: at \`trio.run()\`). ${p ? patchedSelect(ev, ["epoll"]) : "gevent's or eventlet's patching had deleted `select.epoll`"}${p?.patcher === "eventlet" ? " (eventlet may name the module `eventlet.green.select`)" : ""}.`,
      ];
      const chain = trioChainCause(ev);
      if (chain) cause.push(chain);
      return {
        summary: `trio is imported under ${patcherName(p)} monkey-patching, which deleted \`select.epoll\`${notTheirBug(ev)}.`,
        cause,
      };
    },
    answered: [
      ["gevent", "eventlet", "monkey"],
      ["trio", "greendns", "dnspython", "httpcore", "httpx"],
    ],
    fixes: trioFixes("epoll"),
  },
  docs: {
    upstream: [
      { name: "trio#2848", url: "https://github.com/python-trio/trio/issues/2848" },
      {
        name: "httpcore `__init__`",
        url: "https://github.com/encode/httpcore/blob/master/httpcore/__init__.py",
      },
    ],
    what: "`AttributeError: module 'select' has no attribute 'epoll'` (also `module 'eventlet.green.select'`), with a link to trio: a trio frame (`trio/_core/_io_epoll.py`, `_run.py`), an importer of trio in the traceback (httpx, httpcore, discord_webhook, pyee, dnspython), a stated trio version, or dnspython/greendns/`EVENTLET_NO_GREENDNS` in the text (eventlet's DNS import path). `high` when a patcher or a trio frame is shown, otherwise `medium`.",
    why: 'trio 0.17 – 0.25 choose epoll from `sys.platform == "linux"` and create `select.epoll()` at import; trio ≥ 0.26 defers that to `trio.run()`, so the import works but running fails the same way. With eventlet and trio ≥ 0.26 the import fails one step later, in `trio/_socket.py` ([trio-eventlet-greensocket](trio-eventlet-greensocket.md)).',
    example: {
      lang: "text",
      code: `  File "/home/app/.venv/lib/python3.11/site-packages/trio/_core/_io_epoll.py", line 189, in EpollIOManager
    _epoll: select.epoll = attr.ib(factory=select.epoll)
AttributeError: module 'select' has no attribute 'epoll'`,
    },
    notMatched:
      "`select.epoll` missing on an unpatched macOS (epoll is Linux-only: e.g. inotify libraries) and epoll errors with no trio link (those are [select-primitive-removed](select-primitive-removed.md) when a patcher is present).",
  },
});
