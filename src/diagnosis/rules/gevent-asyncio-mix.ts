import { literal } from "../inline.js";
import type { CallFact, FileFacts } from "../python/facts.js";
import { defineRule, type IssueEvidence } from "../rule.js";
import { findLine, findSentence, mentions, sentenceEvidence } from "../text/evidence.js";
import { GEVENT_WORDS, PROBLEM_TERMS } from "../text/vocabulary.js";
import { snippetFinding } from "./shared/evidence.js";
import { ASYNCIO_BRIDGE } from "./shared/mentions.js";
import {
  geventPatcher,
  needs,
  PATCH_NEEDS,
  PATCHER_NEEDLES,
  patcher,
  patcherHow,
  shownPatcher,
} from "./shared/patcher.js";
import { onPatch, patchedWhere, processPatch } from "./shared/process.js";

/** Calls that create or run an asyncio event loop. */
const LOOP_ENTRY = [
  "asyncio.run",
  "asyncio.get_event_loop",
  "asyncio.new_event_loop",
  "asyncio.set_event_loop",
  "asyncio.Runner",
  "uvicorn.run",
  "anyio.run",
];
const LOOP_METHODS = ["run_until_complete", "run_forever"];
/** asyncio servers and frameworks (their import, or their name in a report). */
const ASYNC_SERVERS = ["uvicorn", "hypercorn", "fastapi", "starlette", "sanic", "quart", "aiohttp"];

/** Names a loop conventionally goes by when it comes from elsewhere (`self.loop`, `event_loop`). */
const LOOP_NAMES = new Set(["loop", "_loop", "event_loop", "ioloop"]);

/**
 * `x.run_forever()` / `x.run_until_complete()` on an asyncio loop: the receiver is a name bound
 * to a loop in this file, a conventional loop name, or an asyncio call (`asyncio.new_event_loop()
 * .run_forever()`). Not any method that happens to share the name (`jobs.run_forever()`).
 */
function isLoopMethod(facts: FileFacts, c: CallFact): boolean {
  const dot = c.raw.lastIndexOf(".");
  if (dot < 0 || !LOOP_METHODS.includes(c.raw.slice(dot + 1))) return false;
  const receiver = c.raw.slice(0, dot);
  if (receiver.includes("asyncio.") || receiver.includes("uvloop.")) return true;
  const last = receiver.slice(receiver.lastIndexOf(".") + 1);
  if (LOOP_NAMES.has(last)) return true;
  return facts.calls.some((b) => b.boundTo === last && LOOP_ENTRY.includes(b.qualified));
}

const asyncServerShown = (ev: IssueEvidence) => ASYNC_SERVERS.some((s) => mentions(ev, s));

export default defineRule({
  id: "gevent-asyncio-mix",
  order: 60,
  title: "asyncio in a gevent-patched process",
  needs: needs(PATCH_NEEDS, {
    source: [PATCHER_NEEDLES, ["asyncio", "anyio", ...ASYNC_SERVERS, ...LOOP_METHODS]],
    calls: [...LOOP_ENTRY, ...LOOP_METHODS.map((m) => `*.${m}`)],
    words: ["asyncio", "event loop", "uvloop", "asgiref", "async_to_sync", "asynctosync", ...ASYNC_SERVERS],
  }),
  issue: {
    detect(ev) {
      const p = geventPatcher(ev);
      if (p === null) return null;
      const exc =
        findLine(ev, "This event loop is already running") ??
        findLine(ev, "Cannot run the event loop while another loop is running") ??
        // asgiref's async_to_sync sees the loop of another "thread": patched threads share one.
        findLine(ev, "You cannot use AsyncToSync in the same thread as an async event loop");
      if (exc !== null && shownPatcher(ev)?.patcher === "gevent") {
        return {
          confidence: "high",
          message:
            "asyncio event loops collide because gevent turned threads into greenlets on one OS thread.",
          evidence: [
            { ...exc, kind: "exception" },
            { kind: "text", text: p.because },
          ],
        };
      }
      const snip = snippetFinding(ev, "gevent-asyncio-mix");
      if (snip !== null) {
        return {
          confidence: "medium",
          message: "The code shown runs asyncio in a gevent-patched program.",
          evidence: snip,
        };
      }
      const s =
        findSentence(ev, [
          GEVENT_WORDS,
          ["asyncio", "uvloop", ...ASYNC_SERVERS], // "event loop" alone is not asyncio: gevent has one too
          PROBLEM_TERMS,
        ]) ??
        // asgiref's bridges start a thread for the loop; patched, it is a greenlet on this thread.
        findSentence(ev, [
          ["async_to_sync", "sync_to_async", "asgiref"],
          GEVENT_WORDS,
          ["greenlet", "thread"],
        ]);
      if (s === null) return null;
      return {
        confidence: "medium",
        message: "The report describes asyncio breaking under gevent's monkey-patching.",
        evidence: [sentenceEvidence(s), { kind: "text", text: p.because }],
      };
    },
    explain(ev) {
      return {
        summary:
          "asyncio does not work in a gevent-patched process: one of the two has to go, or move to another process.",
        cause: [
          `Here ${patcherHow(patcher(ev))} patches \`threading\`: "threads" become greenlets on one OS thread, so asyncio loops collide (\`This event loop is already running\`) and executor wake-ups break. It also deletes \`select.epoll\` and \`selectors.EpollSelector\`, and a running loop blocks the gevent hub.`,
        ],
      };
    },
    answered: [
      ["gevent", "monkey"],
      ["asyncio", "event loop", "uvicorn"],
    ],
    fixes: [
      {
        id: "no-gevent-in-asyncio-server",
        verified: {
          source:
            "gevent's monkey-patching documentation: patch_all() replaces threads and select, which asyncio's loop relies on (https://www.gevent.org/api/gevent.monkey.html)",
        },
        text: "Do not monkey-patch the process that runs your asyncio server: remove `monkey.patch_all()` (and patching imports such as grequests) from what it loads; put blocking code in `await asyncio.to_thread(...)`.",
        when: asyncServerShown,
        whenDoc: "the report runs an asyncio server (uvicorn, FastAPI, Starlette)",
      },
      {
        id: "one-framework",
        verified: {
          source: "gevent's monkey-patching documentation (https://www.gevent.org/api/gevent.monkey.html)",
        },
        when: (ev) => !asyncServerShown(ev),
        whenDoc: "the report does not already run an asyncio server",
        text: "Use one framework per process: run asyncio code under an asyncio server (`uvicorn`, gunicorn's `-k uvicorn.workers.UvicornWorker`), not gevent.",
      },
      {
        id: "separate-process",
        verified: {
          source:
            "Python's multiprocessing documentation: the spawn start method starts a fresh interpreter (https://docs.python.org/3/library/multiprocessing.html#contexts-and-start-methods)",
        },
        text: "If both must stay, run the asyncio part in a separate unpatched process (a worker service, or `multiprocessing` with `spawn`).",
      },
      {
        id: "bridge",
        mentioned: ASYNCIO_BRIDGE,
        verified: { source: "the asyncio-gevent project (https://github.com/gfmio/asyncio-gevent)" },
        recommends: ["asyncio-gevent"],
        text: "For a little asyncio inside a gevent program, the `asyncio-gevent` bridge runs the loop on gevent's hub; expect rough edges.",
      },
    ],
  },
  code: {
    detect(facts) {
      const patch = processPatch(facts, "gevent");
      if (!patch) return [];
      const call = facts.calls.find((c) => LOOP_ENTRY.includes(c.qualified) || isLoopMethod(facts, c));
      const imp = facts.imports.find(
        (i) => !i.inTypeChecking && ASYNC_SERVERS.some((m) => i.module === m || i.module.startsWith(`${m}.`)),
      );
      if (call && (!imp || call.line < imp.line))
        return [
          onPatch(
            facts,
            call,
            patch,
            `${literal(`${call.raw}()`, 80)} starts an asyncio event loop in a process patched by gevent ${patchedWhere(patch)}. Patched threads share one OS thread and \`select.epoll\` is gone: asyncio loops collide or block the gevent hub. Use one framework per process.`,
          ),
        ];
      if (imp)
        return [
          onPatch(
            facts,
            imp,
            patch,
            `${literal(imp.module, 80)} is an asyncio framework in a process patched by gevent ${patchedWhere(patch)}. Patched threads share one OS thread and \`select.epoll\` is gone: asyncio loops collide or block the gevent hub. Use one framework per process.`,
          ),
        ];
      return [];
    },
  },
  docs: {
    upstream: [
      { name: "gevent#2026", url: "https://github.com/gevent/gevent/issues/2026" },
      { name: "sdk-python#291", url: "https://github.com/temporalio/sdk-python/issues/291" },
    ],
    what: `Issues:

- \`RuntimeError: This event loop is already running\` or \`Cannot run the event loop while another loop is running\` in a report that shows gevent patching — \`high\`.
- A snippet that patches with gevent and runs an asyncio loop or a uvicorn/FastAPI/Starlette app — \`medium\`.
- A sentence tying gevent/monkey-patching to asyncio/event loops with a problem word ("breaks", "messes up", "prevents", "hangs") — \`medium\`.

Code: a gevent patch in the file and \`asyncio.run\`, \`asyncio.Runner\`, \`get_event_loop\`, \`new_event_loop\`, \`set_event_loop\`, \`.run_until_complete\` or \`.run_forever\` on an asyncio loop (a name bound to one, \`loop\`, \`event_loop\`), \`uvicorn.run\`, \`anyio.run\`, or an import of \`uvicorn\`, \`fastapi\`, \`starlette\`. Reported on the first loop entry point or framework import.`,
    why: "gevent's thread patching turns threads into greenlets on one OS thread, so per-thread asyncio loops collide and executors break; aggressive select patching removes epoll; a running loop blocks the gevent hub.",
    example: {
      lang: "python",
      code: "from gevent import monkey\nmonkey.patch_all()\n\nimport asyncio\n\nasyncio.run(main())  # <- reported here",
    },
    notMatched:
      "asyncio's own `asyncio.run() cannot be called from a running event loop` (Jupyter) and asyncio errors with no gevent patching in the report.",
  },
});
