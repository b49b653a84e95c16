import { defineRule } from "../rule.js";
import { findLine, findSentence, sentenceEvidence } from "../text/evidence.js";
import { PATCH_FIRST, SELECT_FALSE } from "./shared/mentions.js";
import {
  patchCallShown,
  patcher,
  patcherEvidence,
  patcherHow,
  patcherName,
  patchesFirst,
  shownPatcher,
} from "./shared/patcher.js";
import { epollSignal } from "./trio/shared.js";

const isGevent = (ev: Parameters<typeof patcher>[0]) => patcherName(patcher(ev)) === "gevent";

/** A library (not trio) found a select primitive deleted by gevent/eventlet's aggressive patching. */
export default defineRule({
  id: "select-primitive-removed",
  order: 40,
  title: "select primitive removed by gevent/eventlet patching",
  needs: { words: ["epoll", "kqueue", "select.poll", "'poll'", "epollselector", "kqueueselector"] },
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
        if (shownPatcher(ev) === null) return null; // a dependency list naming gevent is not patching
        return {
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
      return {
        confidence: "medium",
        message: `${patcherName(p)}'s aggressive select patching removes epoll/kqueue and their selectors.`,
        evidence: [sentenceEvidence(s), patcherEvidence(p)],
      };
    },
    explain(ev) {
      const p = patcher(ev);
      return {
        summary: `${patcherName(p)}'s monkey-patching deleted a \`select\` primitive (\`epoll\`, \`kqueue\`, ...) that a library expected to exist.`,
        cause: [
          isGevent(ev)
            ? `Here ${patcherHow(p)} patches; \`patch_all()\` deletes \`select.epoll\`, \`kqueue\`, \`kevent\`, \`devpoll\` and their \`selectors\` classes. A library that checked for them earlier, or needs them, then fails.`
            : `Here ${patcherHow(p)} patches: eventlet deletes \`select.poll\`, \`epoll\`, \`kqueue\`, \`kevent\` and \`devpoll\`. A library that checked for them earlier, or needs them, then fails.`,
        ],
      };
    },
    answered: [
      ["gevent", "eventlet", "monkey"],
      ["epoll", "kqueue", "select", "greendns", "dnspython"],
    ],
    fixes: [
      {
        id: "eventlet-import-alone",
        verified: {
          lab: ["eventlet-greendns-imports-trio", "fix-eventlet-no-greendns-yes", "fix-dnspython-2.3"],
        },
        text: "No `monkey_patch()` call shows: importing eventlet puts its green `select` in place while it imports dnspython. If nothing uses eventlet, uninstall it; otherwise set `EVENTLET_NO_GREENDNS=yes` or pin `dnspython==2.3.0`.",
        when: (ev) => patcher(ev)?.patcher === "eventlet" && !patchCallShown(ev),
        whenDoc: "the patcher is eventlet and the report shows no patch call",
      },
      {
        id: "patch-first",
        mentioned: PATCH_FIRST,
        verified: { lab: ["select-primitive-removed", "fix-patch-before-library"] },
        text: (ev) =>
          `Patch first: make ${isGevent(ev) ? "`from gevent import monkey; monkey.patch_all()`" : "`import eventlet; eventlet.monkey_patch()`"} the first lines of the entry point, so libraries pick a selector that exists.`,
        doc: "Patch first: make the patch call the very first lines of the entry point, so every library sees the patched `select` from the start and picks a selector that exists.",
        when: (ev) => !patchesFirst(ev) && !(patcher(ev)?.patcher === "eventlet" && !patchCallShown(ev)),
        whenDoc:
          "the report does not already patch first (and shows a patch call, when the patcher is eventlet)",
      },
      {
        id: "separate-process",
        verified: {
          source:
            "Python's multiprocessing documentation: the spawn start method starts a fresh interpreter (https://docs.python.org/3/library/multiprocessing.html#contexts-and-start-methods)",
        },
        text: "If the library needs real epoll (an asyncio loop, an inotify watcher), run it in a separate, unpatched process.",
      },
      {
        id: "select-false",
        mentioned: SELECT_FALSE,
        verified: { lab: ["fix-patch-all-select-false"] },
        text: "If you patch by hand, `monkey.patch_all(select=False)` keeps `select` intact (its calls then block); gunicorn's gevent worker has no such switch.",
        when: isGevent,
        whenDoc: "the patcher is gevent",
      },
      {
        id: "leave-eventlet",
        verified: {
          source:
            "eventlet's migration guide (https://eventlet.readthedocs.io/en/latest/asyncio/migration.html)",
        },
        text: "eventlet is being retired upstream; moving off it removes this class of problem.",
        when: (ev) => !isGevent(ev),
        whenDoc: "the patcher is eventlet",
      },
    ],
  },
  docs: {
    upstream: [{ name: "gevent.monkey", url: "https://www.gevent.org/api/gevent.monkey.html" }],
    what: `- \`AttributeError: module 'select' has no attribute 'epoll'\` (or \`kqueue\`, \`poll\`, \`EpollSelector\`) with a patcher present and no trio link (\`high\`).
- Prose naming epoll/kqueue or their selectors together with removal ("removed", "deleted", "missing", "aggressive") and patching, in a report that involves gevent/eventlet (\`medium\`).`,
    why: 'gevent\'s `patch_all()` calls `patch_select(aggressive=True)`: it deletes `select.epoll`, `kqueue`, `kevent`, `devpoll` and the matching `selectors` classes. A library that cached "epoll exists" before the patch, or that needs epoll (an asyncio loop, an inotify watcher), then breaks.',
    notMatched:
      "epoll missing on macOS with no patcher (a Linux-only API used on the wrong platform), and trio's own epoll failure ([trio-epoll-missing](trio-epoll-missing.md)).",
  },
});
