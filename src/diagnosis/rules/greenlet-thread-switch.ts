import { defineRule, type IssueEvidence } from "../rule.js";
import { findLineLower, mentions } from "../text/evidence.js";
import { PATCH_FIRST } from "./shared/mentions.js";
import { patchesFirst } from "./shared/patcher.js";

const grequestsShown = (ev: IssueEvidence) => mentions(ev, "grequests");

const partialPatch = (ev: IssueEvidence) =>
  ev.lower.some((l) => l.includes("thread=false") || l.includes("thread = false"));

/** A session, client or pool is shared between threads in the report: that is the first thing to fix. */
const sharedObjectShown = (ev: IssueEvidence) =>
  ev.sentences.some(
    (s) =>
      /session|client|pool|connection/.test(s.text) &&
      /shar|across|between|other thread|another thread/.test(s.text),
  ) || ev.lower.some((l) => l.includes("requests.session("));

export default defineRule({
  id: "greenlet-thread-switch",
  order: 120,
  title: "greenlet used across OS threads",
  needs: { words: ["cannot switch to a different thread"] },
  issue: {
    detect(ev) {
      // greenlet 3 capitalises the message ("Cannot switch to a different thread").
      const l = findLineLower(ev, "cannot switch to a different thread");
      if (l === null) return null;
      if (!mentions(ev, "greenlet") && !mentions(ev, "gevent") && !mentions(ev, "eventlet")) return null;
      return {
        confidence: "high",
        message: "A gevent/eventlet object made under one OS thread's hub was used from another OS thread.",
        evidence: [{ ...l, kind: "exception" }],
      };
    },
    explain(ev) {
      const cause = [
        "Each OS thread has its own hub; a greenlet, lock, socket or `requests.Session` made under one cannot be used from another. Real threads survive with partial patching (`thread=False`), threads started before patching, or native threads from C extensions or servers (uwsgi).",
      ];
      if (partialPatch(ev))
        cause.push("The text shows `thread=False`: threads stay native and share objects with greenlets.");
      return {
        summary: "A greenlet-based object was used from another OS thread than the one whose hub created it.",
        cause,
      };
    },
    answered: [["thread"], ["greenlet", "hub"], ["share", "different", "another", "patch"]],
    fixes: [
      {
        id: "patch-everything-first",
        mentioned: PATCH_FIRST,
        verified: { lab: ["greenlet-thread-switch"] },
        text: "Patch everything first thing in the entry point, without `thread=False`: `from gevent import monkey; monkey.patch_all()` (or `eventlet.monkey_patch()`) before any other import.",
        when: (ev) => !patchesFirst(ev) || partialPatch(ev),
        whenDoc: "the report does not already patch everything first",
      },
      {
        id: "grequests-threads",
        verified: { source: "`grequests/__init__.py`: `monkey.patch_all(thread=False, select=False)`" },
        text: "grequests patches on import with `thread=False`: its greenlets belong to the importing thread's hub. Call it only from that thread, or use plain requests in a `ThreadPoolExecutor` in threaded code.",
        lead: (ev) => grequestsShown(ev),
        when: (ev) => grequestsShown(ev),
        whenDoc: "the report uses grequests (or has it installed)",
      },
      {
        id: "no-sharing-across-threads",
        verified: {
          source:
            "greenlet's documentation: greenlets cannot switch across threads (https://greenlet.readthedocs.io/en/latest/python_threads.html)",
        },
        lead: sharedObjectShown,
        text: "Do not share sessions, sockets, locks or pools between native threads and greenlets; create them where they are used.",
      },
      {
        id: "separate-process",
        verified: {
          source:
            "greenlet's documentation: greenlets cannot switch across threads (https://greenlet.readthedocs.io/en/latest/python_threads.html)",
        },
        text: "If a component must run native threads, run it in its own unpatched process.",
      },
    ],
  },
  docs: {
    upstream: [
      { name: "gevent#1437", url: "https://github.com/gevent/gevent/issues/1437" },
      { name: "greenlet and threads", url: "https://greenlet.readthedocs.io/en/latest/python_threads.html" },
    ],
    what: "The text `cannot switch to a different thread` (greenlet 3: `Cannot switch ...`) in a report that involves greenlet, gevent or eventlet — `high`.",
    why: "A greenlet-based object (socket, lock, `requests.Session`, logging handler lock) made under one OS thread's hub is used from another OS thread: partial patching (`thread=False`), threads started before patching, native threads from C extensions or uwsgi.",
    example: { lang: "text", code: "greenlet.error: cannot switch to a different thread" },
  },
});
