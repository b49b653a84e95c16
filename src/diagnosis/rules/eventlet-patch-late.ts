import {
  codeEvidence,
  HARMLESS_BEFORE_PATCH,
  importsBefore,
  snippetFinding,
  topModule,
} from "../knowledge.js";
import { code } from "../md.js";
import type { FileFacts } from "../python/facts.js";
import type { IssueEvidence, Rule } from "../rule.js";
import { compareVersions } from "../text/context.js";
import { findLine } from "../text/evidence.js";

function lateImports(facts: FileFacts, line: number) {
  return importsBefore(
    facts,
    line,
    (imp) => !HARMLESS_BEFORE_PATCH.has(imp.module) && !HARMLESS_BEFORE_PATCH.has(topModule(imp.module)),
  );
}

/** The text shows monkey_patch() as the very first thing (REPL or snippet): "patch earlier" would be wrong. */
function patchShownFirst(ev: IssueEvidence): boolean {
  return ev.snippetFacts.some((f) => {
    const p = f.patches.find((x) => x.kind === "eventlet");
    return (
      p !== undefined &&
      lateImports(f, p.line).length === 0 &&
      !f.calls.some((c) => c.line < p.line && c.moduleLevel && c.qualified !== "eventlet.monkey_patch")
    );
  });
}

const rule: Rule = {
  id: "eventlet-patch-late",
  title: "eventlet.monkey_patch() after other imports",
  issue: {
    detect(ev) {
      const l = findLine(ev, "RLock(s) were not greened");
      if (l !== null) {
        if (patchShownFirst(ev)) return null; // the spurious Python 3.12+/eventlet message
        return {
          rule: rule.id,
          confidence: "high",
          message: "Locks were created before `eventlet.monkey_patch()` ran.",
          evidence: [{ ...l, kind: "warning" }],
        };
      }
      const snip = snippetFinding(ev, rule.id);
      if (snip === null) return null;
      return {
        rule: rule.id,
        confidence: "medium",
        message: "The code shown creates locks or imports modules before `eventlet.monkey_patch()`.",
        evidence: [snip],
      };
    },
    explain(_f, ev) {
      const py = ev.context.python;
      const cause = [
        "`eventlet.monkey_patch()` replaces `threading` and friends, but locks created before it runs stay native. eventlet tries to find and green existing `RLock`s afterwards, which does not work for the C `RLock` of CPython 3, so any module imported before the patch (logging, a framework, a client library) may keep locks that block the whole hub.",
      ];
      if (py === null || compareVersions(py, "3.12") >= 0)
        cause.push(
          `On Python 3.12 and 3.13 with recent eventlet, the message can appear even when \`monkey_patch()\` really is the first statement${py ? ` (you run Python ${py})` : ""}: if your entry point already patches first, the message is noise.`,
        );
      return {
        summary:
          "`eventlet.monkey_patch()` ran after other modules were imported, so locks they created are not green.",
        cause,
        fixes: [
          "Make `import eventlet; eventlet.monkey_patch()` the very first lines of the entry point, before any other import (for celery or gunicorn, in the module the worker loads first).",
          "Do not create threads, locks, loggers or clients at import time in modules imported before the patch.",
          "eventlet is being retired upstream: plan a move to asyncio or threads (the eventlet project publishes a migration guide).",
        ],
      };
    },
  },
  code: {
    detect(facts) {
      const patch = facts.patches.find((p) => p.kind === "eventlet");
      if (!patch) return [];
      const late = lateImports(facts, patch.line)[0];
      if (!late) return [];
      return [
        {
          confidence: "high",
          message: `\`eventlet.monkey_patch()\` runs after ${code(late.module, 80)} is imported (line ${late.line}); locks and sockets it created stay native. Patch before any other import.`,
          line: patch.line,
          column: patch.column,
          endLine: patch.endLine,
          endColumn: patch.endColumn,
          evidenceLines: [patch.line, late.line],
          evidence: [codeEvidence(facts, patch.line), codeEvidence(facts, late.line)],
        },
      ];
    },
  },
};

export default rule;
