import {
  codeEvidence,
  GEVENT_WORDS,
  geventPatches,
  PROBLEM_TERMS,
  patcher,
  shownPatcher,
  snippetFinding,
} from "../knowledge.js";
import type { Rule } from "../rule.js";
import { findLine, findSentence, sentenceEvidence } from "../text/evidence.js";
import type { Evidence } from "../types.js";

/** Symptoms specific enough to pair with a patched process named elsewhere in the report. */
const HANG_TERMS = [
  "hang",
  "stuck",
  "freez",
  "deadlock",
  "loopexit",
  "block forever",
  "never return",
  "blocks",
];

function initGeventShown(ev: Parameters<NonNullable<Rule["issue"]>["explain"]>[1]): boolean {
  return (
    ev.snippetFacts.some((f) => f.calls.some((c) => c.qualified.endsWith("init_gevent"))) ||
    ev.lower.some((l) => l.includes("init_gevent()"))
  );
}

const rule: Rule = {
  id: "gevent-grpc",
  title: "grpc in a gevent-patched process",
  issue: {
    detect(ev) {
      const p = patcher(ev);
      if (p === null || p.patcher !== "gevent") return null;
      const evidence: Evidence[] = [];
      const grpcFrame = ev.tracebacks.flatMap((tb) => tb.frames).find((f) => f.pkg === "grpc");
      const loopExit = findLine(ev, "LoopExit");
      if (grpcFrame && loopExit) {
        evidence.push(
          { ...loopExit, kind: "exception" },
          { kind: "frame", text: grpcFrame.path, line: grpcFrame.textLine },
        );
        return {
          rule: rule.id,
          confidence: "high",
          message: "grpc's C core blocks the gevent hub.",
          evidence,
        };
      }
      const snip = snippetFinding(ev, rule.id);
      if (snip !== null) {
        evidence.push(snip);
        if (loopExit) evidence.push({ ...loopExit, kind: "exception" });
        return {
          rule: rule.id,
          confidence: "medium",
          message: "The code shown uses grpc under gevent without `init_gevent()`.",
          evidence,
        };
      }
      const shown = shownPatcher(ev);
      const s =
        findSentence(ev, [["grpc", "grpcio", "cygrpc"], [...GEVENT_WORDS, "patching"], PROBLEM_TERMS]) ??
        (shown?.patcher === "gevent" ? findSentence(ev, [["grpc", "grpcio", "cygrpc"], HANG_TERMS]) : null);
      if (s === null) return null;
      return {
        rule: rule.id,
        confidence: "medium",
        message: "The report describes grpc hanging or failing under gevent.",
        evidence: [sentenceEvidence(s), { kind: "text", text: p.because }],
      };
    },
    explain(_f, ev) {
      const already = initGeventShown(ev);
      const fixes = already
        ? [
            'You already call `init_gevent()`. grpc reimplemented its gevent support; upgrade to grpcio ≥ 1.51.1 (`pip install -U "grpcio>=1.51.1"`), which fixed many of the remaining hangs under load.',
            "Make sure the order is: `monkey.patch_all()`, then `grpc.experimental.gevent.init_gevent()`, then create channels and servers, in every process (gunicorn/celery workers included).",
          ]
        : [
            "Tell grpc about gevent, right after patching and before any channel or server is created:\n\n```python\nfrom gevent import monkey\nmonkey.patch_all()\n\nimport grpc.experimental.gevent as grpc_gevent\ngrpc_gevent.init_gevent()\n```",
            'Use grpcio ≥ 1.51.1 (`pip install -U "grpcio>=1.51.1"`): its gevent support was reimplemented and is much more stable.',
          ];
      fixes.push(
        "If it still hangs, keep grpc out of the patched process (a separate service or a `spawn`ed subprocess).",
      );
      return {
        summary: already
          ? "grpc under gevent still hangs with `init_gevent()`: older grpcio releases had an unreliable gevent integration."
          : "grpc's C core does its own I/O and threading that gevent cannot see, so under monkey-patching it blocks the hub or dies with `LoopExit`.",
        cause: [
          "grpc's networking and completion queues live in its C core (`grpc._cython.cygrpc`). gevent can only make Python-level I/O cooperative, so a patched process waiting on grpc either blocks every greenlet or leaves the hub with nothing to run (`LoopExit: This operation would block forever`). Patching `threading` also breaks grpc's own threads and futures.",
          "`grpc.experimental.gevent.init_gevent()` switches grpc to an I/O manager that cooperates with gevent; it must run after `patch_all()` and before grpc is used.",
        ],
        fixes,
      };
    },
  },
  code: {
    detect(facts) {
      const patch = geventPatches(facts)[0];
      if (!patch) return [];
      if (facts.calls.some((c) => c.qualified.endsWith("init_gevent"))) return [];
      const imp = facts.imports.find(
        (i) =>
          !i.inTypeChecking &&
          (i.module === "grpc" || i.module.startsWith("grpc.")) &&
          !i.module.startsWith("grpc.experimental.gevent"),
      );
      if (!imp) return [];
      return [
        {
          confidence: "high",
          message: `grpc is used in a process patched by gevent (line ${patch.line}) without \`grpc.experimental.gevent.init_gevent()\`: its C core will block the gevent hub. Call \`init_gevent()\` right after patching, and use grpcio ≥ 1.51.1.`,
          line: imp.line,
          column: imp.column,
          endLine: imp.endLine,
          endColumn: imp.endColumn,
          evidenceLines: [imp.line, patch.line],
          evidence: [codeEvidence(facts, imp.line), codeEvidence(facts, patch.line)],
        },
      ];
    },
  },
};

export default rule;
