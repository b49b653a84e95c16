import type { Rule } from "../rule.js";
import { findLine, findSentence, sentenceEvidence } from "../text/evidence.js";

const rule: Rule = {
  id: "trio-nested-run",
  title: "trio.run() called inside a running trio loop",
  issue: {
    detect(ev) {
      const l = findLine(ev, "Attempted to call run() from inside a run()");
      if (l !== null) {
        return {
          rule: rule.id,
          confidence: "high",
          message: "`trio.run()` was called while a trio loop already runs in this thread.",
          evidence: [{ ...l, kind: "exception" }],
        };
      }
      const nested = ev.snippetFacts.flatMap((f) =>
        f.calls.filter((c) => c.qualified === "trio.run" && c.asyncDef !== null).map((c) => ({ f, c })),
      )[0];
      if (nested) {
        return {
          rule: rule.id,
          confidence: "medium",
          message: "The code shown calls `trio.run()` inside an `async def`.",
          evidence: [{ kind: "code", text: (nested.f.lines[nested.c.line - 1] ?? "").trim() }],
        };
      }
      const s = findSentence(ev, [
        ["trio"],
        ["nested", "from within", "inside"],
        ["run loop", "trio.run", "run()", "event loop"],
      ]);
      if (s === null || !(s.text.includes("nested") || s.text.includes("trio.run"))) return null;
      return {
        rule: rule.id,
        confidence: "medium",
        message: "The report describes a nested trio run loop.",
        evidence: [sentenceEvidence(s)],
      };
    },
    explain(_f, ev) {
      const pytest = ev.lower.some((l) => l.includes("pytest"));
      const fixes = [
        "Inside async code, `await` the async function directly instead of calling `trio.run()` on it.",
        "To call synchronous code that itself calls `trio.run()` (a CLI entry point, `pytest.main()`), run it in a fresh thread: `await trio.to_thread.run_sync(sync_fn)`; from that thread use `trio.from_thread.run(...)` to call back into the outer loop.",
      ];
      if (pytest)
        fixes.push(
          "With pytest-trio, do not call `pytest.main()` from inside `trio.run()`: start pytest from synchronous code (or in a thread as above), and let the plugin run each test's loop.",
        );
      return {
        summary:
          "`trio.run()` was called while a trio run loop is already running in the same thread; trio does not nest loops.",
        cause: [
          "trio keeps one run loop per thread. Calling `trio.run()` from code that is already running under `trio.run()` (directly, or through a library that starts its own loop, like pytest-trio running a test) fails with `RuntimeError: Attempted to call run() from inside a run()`.",
        ],
        fixes,
      };
    },
  },
};

export default rule;
