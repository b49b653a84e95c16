import { defineRule, type IssueEvidence } from "../rule.js";
import { findLine, findSentence, sentenceEvidence } from "../text/evidence.js";

const pytestShown = (ev: IssueEvidence) => ev.lower.some((l) => l.includes("pytest"));

export default defineRule({
  id: "trio-nested-run",
  order: 130,
  title: "trio.run() called inside a running trio loop",
  needs: { source: [["trio"]], calls: ["trio.run"], words: ["trio"] },
  issue: {
    detect(ev) {
      const l = findLine(ev, "Attempted to call run() from inside a run()");
      if (l !== null) {
        return {
          confidence: "high",
          message: "`trio.run()` was called while a trio loop already runs in this thread.",
          evidence: [{ ...l, kind: "exception" }],
        };
      }
      for (const f of ev.snippetFacts) {
        const c = f.calls.find((x) => x.qualified === "trio.run" && x.asyncDef !== null);
        if (c)
          return {
            confidence: "medium",
            message: "The code shown calls `trio.run()` inside an `async def`.",
            evidence: [{ kind: "code", text: (f.lines[c.line - 1] ?? "").trim() }],
          };
      }
      const s = findSentence(ev, [
        ["trio"],
        ["nested", "from within", "inside"],
        ["run loop", "trio.run", "run()", "event loop"],
      ]);
      if (s === null || !(s.text.includes("nested") || s.text.includes("trio.run"))) return null;
      return {
        confidence: "medium",
        message: "The report describes a nested trio run loop.",
        evidence: [sentenceEvidence(s)],
      };
    },
    explain() {
      return {
        summary:
          "`trio.run()` was called while a trio run loop is already running in the same thread; trio does not nest loops.",
        cause: [
          "trio keeps one run loop per thread. Calling `trio.run()` from code that is already running under `trio.run()` (directly, or through a library that starts its own loop, like pytest-trio running a test) fails with `RuntimeError: Attempted to call run() from inside a run()`.",
        ],
      };
    },
    answered: [["run"], ["inside", "nested", "from_thread", "to_thread"]],
    fixes: [
      {
        id: "await-directly",
        verified: { lab: ["trio-nested-run", "fix-trio-fresh-thread"] },
        text: "Inside async code, `await` the async function directly instead of calling `trio.run()` on it.",
      },
      {
        id: "fresh-thread",
        verified: { lab: ["trio-nested-run", "fix-trio-fresh-thread"] },
        text: "To call synchronous code that itself calls `trio.run()` (a CLI entry point, `pytest.main()`), run it in a fresh thread: `await trio.to_thread.run_sync(sync_fn)`; from that thread use `trio.from_thread.run(...)` to call back into the outer loop.",
      },
      {
        id: "pytest-trio",
        verified: {
          source:
            "pytest-trio's documentation: it runs the test's trio loop itself (https://pytest-trio.readthedocs.io/)",
        },
        lead: pytestShown,
        text: "With pytest-trio, do not call `pytest.main()` from inside `trio.run()`: start pytest from synchronous code (or in a thread as above), and let the plugin run each test's loop.",
        when: pytestShown,
        whenDoc: "the report involves pytest",
      },
    ],
  },
  docs: {
    upstream: [{ name: "pytest-trio#97", url: "https://github.com/python-trio/pytest-trio/issues/97" }],
    what: "The exact text `Attempted to call run() from inside a run()` (`high`); a snippet that calls `trio.run()` inside an `async def` (`medium`); a sentence about a nested trio run loop (`medium`).",
    why: "trio keeps one run loop per thread and does not nest them.",
    example: { lang: "text", code: "RuntimeError: Attempted to call run() from inside a run()" },
    notMatched: "asyncio's `asyncio.run() cannot be called from a running event loop`.",
  },
});
