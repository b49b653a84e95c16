import {
  codeEvidence,
  GEVENT_WORDS,
  geventPatches,
  PROBLEM_TERMS,
  patcher,
  patcherHow,
  shownPatcher,
  snippetFinding,
} from "../knowledge.js";
import { code } from "../md.js";
import type { Rule } from "../rule.js";
import { findLine, findSentence, sentenceEvidence } from "../text/evidence.js";

const LOOP_ENTRY = new Set([
  "asyncio.run",
  "asyncio.get_event_loop",
  "asyncio.new_event_loop",
  "asyncio.set_event_loop",
  "asyncio.Runner",
  "uvicorn.run",
  "anyio.run",
]);
const LOOP_METHODS = new Set(["run_until_complete", "run_forever"]);
const ASYNC_SERVERS = ["uvicorn", "fastapi", "starlette"];

const rule: Rule = {
  id: "gevent-asyncio-mix",
  title: "asyncio in a gevent-patched process",
  issue: {
    detect(ev) {
      const p = patcher(ev);
      if (p === null || p.patcher !== "gevent") return null;
      const exc =
        findLine(ev, "This event loop is already running") ??
        findLine(ev, "Cannot run the event loop while another loop is running");
      const shown = shownPatcher(ev);
      if (exc !== null && shown?.patcher === "gevent") {
        return {
          rule: rule.id,
          confidence: "high",
          message:
            "asyncio event loops collide because gevent turned threads into greenlets on one OS thread.",
          evidence: [
            { ...exc, kind: "exception" },
            { kind: "text", text: p.because },
          ],
        };
      }
      const snip = snippetFinding(ev, rule.id);
      if (snip !== null) {
        return {
          rule: rule.id,
          confidence: "medium",
          message: "The code shown runs asyncio in a gevent-patched program.",
          evidence: [snip],
        };
      }
      const s = findSentence(ev, [
        GEVENT_WORDS,
        ["asyncio", "event loop", "uvloop", "uvicorn"],
        PROBLEM_TERMS,
      ]);
      if (s === null) return null;
      return {
        rule: rule.id,
        confidence: "medium",
        message: "The report describes asyncio breaking under gevent's monkey-patching.",
        evidence: [sentenceEvidence(s), { kind: "text", text: p.because }],
      };
    },
    explain(_f, ev) {
      const p = patcher(ev);
      return {
        summary:
          "asyncio does not work inside a gevent-patched process: one of the two has to go, or live in another process.",
        cause: [
          `In this report, ${patcherHow(p)} patches \`threading\`, so "threads" become greenlets sharing one OS thread. asyncio keeps its running loop per OS thread, so loops started in different "threads" see each other (\`RuntimeError: This event loop is already running\`), and its executors and \`call_soon_threadsafe\` wake-ups break.`,
          "`patch_all()` also patches `select` aggressively, deleting `select.epoll` and `selectors.EpollSelector`, so an asyncio loop created afterwards falls back to gevent's selector or fails. And a loop that does run blocks the gevent hub while it runs, so a gevent worker stops serving other requests.",
        ],
        fixes: [
          "Use one framework per process: for asyncio code (FastAPI, aiohttp, an asyncio SDK) run an asyncio server or worker (`uvicorn`, gunicorn's `-k uvicorn.workers.UvicornWorker`) instead of gevent.",
          "If both must coexist, run the asyncio part in a separate, unpatched process (a worker service, or `multiprocessing` with the `spawn` start method) and talk to it over a queue or socket.",
          "For a small amount of asyncio code inside a gevent program, an asyncio-gevent bridge (such as the `asyncio-gevent` package, which runs the asyncio loop on the gevent hub) is the only in-process option; expect rough edges.",
        ],
      };
    },
  },
  code: {
    detect(facts) {
      const patch = geventPatches(facts)[0];
      if (!patch) return [];
      const call = facts.calls.find(
        (c) =>
          LOOP_ENTRY.has(c.qualified) ||
          LOOP_METHODS.has(c.qualified.slice(c.qualified.lastIndexOf(".") + 1)),
      );
      const imp = facts.imports.find(
        (i) => !i.inTypeChecking && ASYNC_SERVERS.some((m) => i.module === m || i.module.startsWith(`${m}.`)),
      );
      const at = call && (!imp || call.line < imp.line) ? call : imp;
      if (!at) return [];
      const what =
        at === call
          ? `${code(`${call?.raw ?? ""}()`, 80)} starts an asyncio event loop`
          : `${code(imp?.module ?? "", 80)} is an asyncio framework`;
      return [
        {
          confidence: "high",
          message: `${what} in a process patched by gevent on line ${patch.line}. Patched threads share one OS thread and \`select.epoll\` is gone: asyncio loops collide or block the gevent hub. Use one framework per process.`,
          line: at.line,
          column: at.column,
          endLine: at.endLine,
          endColumn: at.endColumn,
          evidenceLines: [at.line, patch.line],
          evidence: [codeEvidence(facts, at.line), codeEvidence(facts, patch.line)],
        },
      ];
    },
  },
};

export default rule;
