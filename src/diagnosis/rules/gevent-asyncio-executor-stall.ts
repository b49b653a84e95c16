import { literal } from "../inline.js";
import { defineRule, type IssueEvidence } from "../rule.js";
import { findSentence, sentenceEvidence } from "../text/evidence.js";
import { compareVersions } from "../text/versions.js";
import { OLDER_PYTHON } from "./shared/mentions.js";
import { geventPatcher, patcherEvidence } from "./shared/patcher.js";

/** Calls whose result comes back through asyncio's executor (`getaddrinfo` does, so does every connect by host name). */
const EXECUTOR_CALLS = [
  "run_in_executor",
  "to_thread",
  "getaddrinfo",
  "create_connection",
  "open_connection",
];
const STALL_WORDS = [
  "hang",
  "hangs",
  "stall",
  "stuck",
  "freez",
  "never return",
  "blocks until",
  "only returns",
  "timeout",
  "timed out",
  "waits until",
];
const SOURCE =
  "gevent#2213 (https://github.com/gevent/gevent/issues/2213): python/cpython#141696, backported to 3.13.12 and 3.14.3, sets an executor's result without waking the loop when threads are patched; not seen on 3.12, 3.13.11 or 3.14.2";

/** The Python the report states, when it is one of the affected releases (3.13.12+, 3.14.3+, later 3.15 pre-releases too). */
function affectedPython(ev: IssueEvidence): string | null {
  const v = ev.context.versions.get("python")?.version ?? null;
  if (v === null || !/^\d+\.\d+\.\d+/.test(v)) return null;
  const affected =
    (compareVersions(v, "3.13.12") >= 0 && compareVersions(v, "3.14") < 0) ||
    compareVersions(v, "3.14.3") >= 0;
  return affected ? v : null;
}

/** gevent#2213: under `patch_all()`, asyncio's executor results wait for an unrelated wake-up on CPython ≥ 3.13.12 / 3.14.3. */
export default defineRule({
  id: "gevent-asyncio-executor-stall",
  order: 61,
  title: "asyncio executor calls stall under gevent on CPython 3.13.12+ / 3.14.3+",
  excludes: ["gevent-asyncio-mix"],
  needs: { words: EXECUTOR_CALLS },
  issue: {
    detect(ev) {
      const python = affectedPython(ev);
      const p = geventPatcher(ev);
      if (python === null || p === null) return null;
      const s = findSentence(ev, [EXECUTOR_CALLS, STALL_WORDS]);
      if (s === null) return null;
      return {
        confidence: "medium",
        message: `On Python ${literal(python, 20)} under gevent's patching, asyncio executor results can wait for an unrelated wake-up (gevent#2213).`,
        evidence: [sentenceEvidence(s), patcherEvidence(p)],
      };
    },
    explain(ev) {
      const python = affectedPython(ev) ?? "3.13.12+";
      return {
        summary: `This matches gevent#2213: on CPython 3.13.12+ and 3.14.3+ (this report: ${literal(python, 20)}), with threads patched, \`run_in_executor\` / \`to_thread\` results (and \`getaddrinfo\`, so connections by host name) are delivered only when something else wakes the event loop.`,
        cause: [
          "Those releases changed how asyncio hands an executor's result back to the loop (python/cpython#141696): the result is set directly when the caller looks like the loop's own thread. With threads patched the executor's workers are greenlets on that very thread, so the result is set without waking the loop, which sleeps until an unrelated timer fires (or `wait_for`'s timeout). 3.12, 3.13.11 and 3.14.2 are not affected.",
        ],
      };
    },
    answered: [["2213", "3.13.11", "3.14.2", "141696"]],
    fixes: [
      {
        id: "python-before-change",
        mentioned: OLDER_PYTHON,
        verified: { source: SOURCE },
        text: "Until gevent#2213 is fixed, run on a Python without the change: 3.13.11, 3.14.2 or 3.12.",
      },
      {
        id: "asyncio-out-of-patched-process",
        verified: { source: `${SOURCE}; the stall needs threads patched` },
        text: "Or keep asyncio out of the gevent-patched process (a separate process for the asyncio part).",
      },
    ],
  },
  docs: {
    upstream: [
      { name: "gevent#2213", url: "https://github.com/gevent/gevent/issues/2213" },
      { name: "cpython#141696", url: "https://github.com/python/cpython/pull/141696" },
    ],
    what: "A report on an affected CPython (3.13.12 or later 3.13, 3.14.3 or later) with gevent patching shown, and a sentence where `run_in_executor`, `to_thread`, `getaddrinfo` or `create_connection` hangs, stalls or waits for a timeout (`medium`).",
    why: "python/cpython#141696 (in 3.13.12 and 3.14.3) sets an executor future's result directly when the running loop belongs to the current thread. Under `patch_all()` the executor's threads are greenlets on the loop's own thread, so no wake-up is sent and the loop sleeps until another event (gevent#2213).",
    example: {
      lang: "text",
      code: "Python 3.13.12, gevent 25.9.1: after monkey.patch_all(), `await asyncio.to_thread(f)` hangs until the wait_for timeout fires.",
    },
    notMatched:
      "The same symptom on 3.12, 3.13.11 or 3.14.2, or with no Python version stated: other gevent/asyncio conflicts ([gevent-asyncio-mix](gevent-asyncio-mix.md)).",
  },
});
