import { patcher, patcherEvidence, patcherHow, patcherName, shownPatcher } from "../knowledge.js";
import type { Rule } from "../rule.js";
import { findLine, findSentence, sentenceEvidence } from "../text/evidence.js";
import type { Evidence } from "../types.js";
import { epollSignal, epollTrioLink } from "./trio-epoll-missing.js";

/** A library (not trio) found a select primitive deleted by gevent/eventlet's aggressive patching. */
const rule: Rule = {
  id: "select-primitive-removed",
  title: "select primitive removed by gevent/eventlet patching",
  issue: {
    detect(ev) {
      const p = patcher(ev);
      if (p === null) return null; // epoll is genuinely missing off Linux: a look-alike
      const signal =
        epollSignal(ev) ??
        findLine(ev, "AttributeError", "'select' has no attribute 'kqueue'") ??
        findLine(ev, "AttributeError", "'select' has no attribute 'poll'") ??
        findLine(ev, "AttributeError", "has no attribute 'EpollSelector'");
      if (signal !== null) {
        if (epollTrioLink(ev) !== null) return null; // trio's own variant: trio-epoll-missing
        if (shownPatcher(ev) === null) return null; // a dependency list naming gevent is not patching
        return {
          rule: rule.id,
          confidence: "high",
          message: `A select primitive was deleted by ${patcherName(p)}'s monkey-patching before a library used it.`,
          evidence: [{ ...signal, kind: "exception" }, patcherEvidence(p)],
        };
      }
      // Described rather than pasted: "epoll ... is removed in the monkeypatch".
      const s = findSentence(ev, [
        ["epoll", "epollselector", "kqueue", "kqueueselector", "select.poll"],
        ["removed", "removes", "deleted", "deletes", "missing", "no attribute", "aggressive"],
        ["monkeypatch", "monkey-patch", "monkey patch", "patch_all", "monkey_patch", "gevent", "eventlet"],
      ]);
      if (s === null) return null;
      const evidence: Evidence[] = [sentenceEvidence(s), patcherEvidence(p)];
      return {
        rule: rule.id,
        confidence: "medium",
        message: `${patcherName(p)}'s aggressive select patching removes epoll/kqueue and their selectors.`,
        evidence,
      };
    },
    explain(_f, ev) {
      const p = patcher(ev);
      const isGevent = patcherName(p) === "gevent";
      return {
        summary: `${patcherName(p)}'s monkey-patching deleted a \`select\` primitive (\`epoll\`, \`kqueue\`, ...) that a library expected to exist.`,
        cause: [
          isGevent
            ? `The patching comes from ${patcherHow(p)}. \`patch_all()\` calls \`patch_select(aggressive=True)\` by default, which deletes \`select.epoll\`, \`select.kqueue\`, \`select.kevent\` and \`select.devpoll\`, and the matching \`selectors\` classes (\`DefaultSelector\` becomes gevent's).`
            : `The patching comes from ${patcherHow(p)}. \`eventlet.monkey_patch()\` deletes \`select.poll\`, \`epoll\`, \`kqueue\`, \`kevent\` and \`devpoll\`.`,
          "A library that checked for epoll before the patch (or that uses it directly) then fails, or an event loop that needs it cannot start.",
        ],
        fixes: [
          `Patch first: make ${isGevent ? "`from gevent import monkey; monkey.patch_all()`" : "`import eventlet; eventlet.monkey_patch()`"} the very first lines of the entry point, so every library sees the patched \`select\` from the start and picks a selector that exists.`,
          "If the library needs real epoll (an asyncio loop, an inotify watcher), it does not belong in a patched process: run it in a separate process, or use one concurrency framework per process.",
          isGevent
            ? "Only if you patch by hand: `monkey.patch_all(select=False)` keeps `select` intact, but then blocking `select` calls are no longer cooperative. gunicorn's gevent worker offers no switch for this."
            : "eventlet is being retired upstream; moving off it removes this class of problem.",
        ],
      };
    },
  },
};

export default rule;
