import { defineRule, type IssueEvidence } from "../rule.js";
import { findLine } from "../text/evidence.js";
import { platformName } from "../text/platform.js";
import { inRange, versionOf } from "../text/versions.js";
import { patcher, patcherEvidence, patcherName } from "./shared/patcher.js";
import {
  epollSignal,
  notTheirBug,
  patchedSelect,
  proseTrioChain,
  TRIO_WORDS,
  trioChainCause,
  trioFixes,
  trioLink,
} from "./trio/shared.js";

const KQUEUE = "trio picks kqueue at import.";

/**
 * Where this happens, true to what the report shows. With trio ≥ 0.17 this error only happens on
 * macOS and the BSDs (Linux fails with an epoll `AttributeError` instead), whatever the paths look
 * like; with the version unknown both stories are told in one sentence.
 */
function where(ev: IssueEvidence): string {
  const v = versionOf(ev, "trio")?.split("/")[0] ?? null;
  const oldTrio = inRange(v, null, "0.16.99");
  const plat = ev.context.platform.platform;
  if (plat === "macos" || plat === "freebsd") return `On ${platformName(plat)} ${KQUEUE}`;
  if (oldTrio === true)
    return plat === "linux"
      ? "On Linux, trio 0.16 and older look for `select.epoll` when imported."
      : "trio picks its I/O backend when it is imported.";
  if (oldTrio === false)
    return `This error means macOS or a BSD, where ${KQUEUE} (On Linux, trio ≥ 0.17 fails with the epoll \`AttributeError\` instead.)`;
  return `On macOS and the BSDs ${KQUEUE} On Linux only trio 0.16 and older fail this way.`;
}

/** trio refused to import because a patcher removed the select primitives it needs. */
export default defineRule({
  id: "trio-unsupported-platform",
  order: 10,
  title: "trio imported after gevent/eventlet removed its select primitives",
  needs: { words: [...TRIO_WORDS, "unsupported platform"] },
  issue: {
    detect(ev) {
      // trio >= 0.28 names the patcher itself.
      const modern = findLine(ev, "monkey-patched out by");
      if (modern !== null && ev.lower.some((l) => l.includes("primitives trio depends on"))) {
        return {
          confidence: "high",
          message: "trio was imported after monkey-patching removed the select primitives it needs.",
          evidence: [{ ...modern, kind: "exception" }],
        };
      }
      const signal = findLine(ev, "NotImplementedError", "unsupported platform");
      const p = patcher(ev);
      if (signal === null) {
        // Described, not pasted: off Linux (or unknown), a patched process failing on a trio importer.
        if (p === null || ev.context.platform.platform === "linux" || epollSignal(ev) !== null) return null;
        const prose = proseTrioChain(ev);
        if (prose === null) return null;
        return {
          confidence: "medium",
          message:
            "The report describes a patched process failing once a library that imports trio is installed.",
          evidence: [prose.evidence, patcherEvidence(p)],
        };
      }
      const link = trioLink(ev);
      if (link === null) return null;
      if (p === null) {
        // On macOS and FreeBSD `select.kqueue` is there unless something removed it: a patcher the
        // report does not name. Elsewhere (Android before trio 0.33) it is a look-alike.
        const plat = ev.context.platform.platform;
        if (plat !== "macos" && plat !== "freebsd") return null;
        return {
          confidence: "medium",
          message: `trio found no I/O backend on ${platformName(plat)}, where only monkey-patching removes \`select.kqueue\`.`,
          evidence: [{ ...signal, kind: "exception" }, link],
        };
      }
      return {
        confidence: "high",
        message: `trio was imported after ${patcherName(p)} monkey-patching removed the select primitives it needs.`,
        evidence: [{ ...signal, kind: "exception" }, link, patcherEvidence(p)],
      };
    },
    explain(ev) {
      const p = patcher(ev);
      const cause = [`${where(ev)} ${patchedSelect(ev, ["kqueue", "epoll"])}.`];
      const chain = trioChainCause(ev);
      if (chain) cause.push(chain);
      return {
        summary:
          p === null
            ? `trio's import fails because \`select.kqueue\` is gone, which on macOS and the BSDs only gevent's or eventlet's patching does${notTheirBug(ev)}.`
            : p.via === "greendns"
              ? `trio's import fails inside eventlet's DNS import, whose green \`select\` has no \`kqueue\`${notTheirBug(ev)}.`
              : `trio is imported after ${patcherName(p)} monkey-patching removed \`select.kqueue\`, so its import fails${notTheirBug(ev)}.`,
        cause,
      };
    },
    answered: [
      ["gevent", "eventlet", "monkey"],
      ["trio", "greendns", "dnspython", "httpcore", "httpx"],
    ],
    fixes: trioFixes("notimpl"),
  },
  docs: {
    upstream: [
      { name: "trio#3119", url: "https://github.com/python-trio/trio/issues/3119" },
      { name: "trio#2960", url: "https://github.com/python-trio/trio/issues/2960" },
      {
        name: "httpcore `__init__`",
        url: "https://github.com/encode/httpcore/blob/master/httpcore/__init__.py",
      },
    ],
    what: `- \`NotImplementedError: unsupported platform\` (a line with both words: the exception line, a title, or the \`raise\` source line of \`trio/_core/_run.py\`), together with
  - a patcher in the text: gevent/eventlet frames, gunicorn's \`ggevent.py\`, \`-k gevent\`, \`worker_class: gevent\`, celery \`-P gevent\`, locust, grequests, \`patch_all()\`, \`monkey_patch()\`, or the words gevent/eventlet; and
  - a link to trio: a trio frame, an importer of trio in the traceback (httpx, httpcore, dnspython, pyee, trio-websocket, locust-plugins, eventlet's \`greendns\`), a stated trio version, or those names in the text.
- trio ≥ 0.28's own text, \`unsupported platform or primitives trio depends on are monkey-patched out by gevent\` (or \`eventlet\`), on its own.
- The same error and a link to trio with no patcher named, on macOS or FreeBSD (where \`select.kqueue\` is gone only when a patcher removed it): \`medium\`.

Confidence is \`high\` when the exact error and the patcher are in the text.`,
    why: `trio picks its I/O backend when it is imported (\`trio/_core/_run.py\`): IOCP on Windows, epoll on Linux (by \`sys.platform\` since trio 0.17), kqueue where \`select.kqueue\` exists (macOS, the BSDs), otherwise \`NotImplementedError\`. gevent's \`patch_all()\` calls \`patch_select(aggressive=True)\`, which deletes \`select.epoll\`, \`select.kqueue\`, \`select.kevent\` and \`select.devpoll\`; eventlet's \`monkey_patch()\` deletes \`poll\`, \`epoll\`, \`kqueue\`, \`kevent\` and \`devpoll\`. On macOS and FreeBSD every trio version fails this way; on Linux only trio ≤ 0.16 does (see [trio-epoll-missing](trio-epoll-missing.md)).

The user rarely imports trio: every httpcore from 0.17.2 (through 1.0.9, the newest checked) imports it eagerly whenever it is installed (httpx → httpcore → trio; httpx ≥ 0.28 imports httpcore when a client is made), and \`import eventlet\` alone can do it (greendns imports dnspython with a green \`select\`, and dnspython ≥ 2.4 imports httpx). gunicorn's gevent worker, celery's \`-P gevent\` and locust patch before the app is imported.

The line number of the raise identifies the trio version when the report does not state it (for example 2458 = 0.22.0, 2548 = 0.22.2, 2840 = 0.25.1, 2963 = 0.28, 3131 = 0.31 or 0.34).`,
    example: {
      lang: "text",
      code: `  File "/Users/me/app/.venv/lib/python3.11/site-packages/httpcore/_synchronization.py", line 11, in <module>
    import trio
  File "/Users/me/app/.venv/lib/python3.11/site-packages/trio/_core/_run.py", line 2840, in <module>
    raise NotImplementedError("unsupported platform")
NotImplementedError: unsupported platform`,
    },
    notMatched: `- trio's \`unsupported platform\` with no patcher anywhere, off macOS and FreeBSD (trio on Android before 0.33).
- \`NotImplementedError\` from asyncio's \`add_reader\` on Windows (tornado, aiodns): no "unsupported platform".`,
  },
});
