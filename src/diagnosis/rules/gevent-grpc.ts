import { GRPC_GEVENT_FIXED, GRPC_GEVENT_OK } from "../project/knowledge.js";
import { defineRule, type IssueEvidence, perReport } from "../rule.js";
import { findLine, findSentence, lowerText, sentenceEvidence } from "../text/evidence.js";
import { GEVENT_WORDS, PROBLEM_TERMS } from "../text/vocabulary.js";
import type { Evidence } from "../types.js";
import { snippetFinding } from "./shared/evidence.js";
import { bumpPin, onDependency, patchWords, projectPatch, versionWords } from "./shared/manifest.js";
import { INIT_GEVENT, UPGRADE_GRPCIO } from "./shared/mentions.js";
import {
  geventPatcher,
  importOf,
  needs,
  PATCH_NEEDS,
  PATCHER_NEEDLES,
  shownPatcher,
} from "./shared/patcher.js";
import { onPatch, patchedWhere, processPatch } from "./shared/process.js";

/** The call that makes grpc cooperate with gevent, as the project's code names it. */
const INIT_GEVENT_CALL = "grpc.experimental.gevent.init_gevent";

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
const GRPC_WORDS = ["grpc", "grpcio", "cygrpc"];

/** A frame or dump line of a thread waiting in grpc's C core (`channel_spin`, `next_call_event`). */
function grpcWait(ev: IssueEvidence): Evidence | null {
  for (const tb of ev.tracebacks)
    for (const f of tb.frames)
      if (
        f.pkg === "grpc" &&
        (f.func === "channel_spin" || f.func === "next_call_event" || f.module.includes("cygrpc"))
      )
        return { kind: "frame", text: `${f.path}${f.func ? ` in ${f.func}` : ""}`, line: f.textLine };
  return (
    findLine(ev, "channel_spin") ?? findLine(ev, "next_call_event") ?? findLine(ev, "grpc._cython.cygrpc")
  );
}

const initGeventShown = perReport(
  (ev: IssueEvidence): boolean =>
    ev.snippetFacts.some((f) => f.calls.some((c) => c.qualified.endsWith("init_gevent"))) ||
    lowerText(ev).includes("init_gevent()"),
);

export default defineRule({
  id: "gevent-grpc",
  order: 70,
  title: "grpc in a gevent-patched process",
  needs: needs(PATCH_NEEDS, {
    source: [PATCHER_NEEDLES, ["grpc"]],
    calls: ["*.init_gevent"],
    words: GRPC_WORDS,
  }),
  issue: {
    detect(ev) {
      const p = geventPatcher(ev);
      if (p === null) return null;
      const grpcFrame = ev.tracebacks.flatMap((tb) => tb.frames).find((f) => f.pkg === "grpc");
      const loopExit = findLine(ev, "LoopExit");
      if (grpcFrame && loopExit) {
        return {
          confidence: "high",
          message: "grpc's C core blocks the gevent hub.",
          evidence: [
            { ...loopExit, kind: "exception" },
            { kind: "frame", text: grpcFrame.path, line: grpcFrame.textLine },
          ],
        };
      }
      // A thread dump with a thread waiting in grpc's C core, in a process that patches.
      const dump = grpcWait(ev);
      if (dump !== null && shownPatcher(ev)?.patcher === "gevent")
        return {
          confidence: "medium",
          message: "A thread dump shows a thread waiting in grpc's C core in a gevent-patched process.",
          evidence: loopExit
            ? [dump, { ...loopExit, kind: "exception" }]
            : [dump, { kind: "text", text: p.because }],
        };
      const snip = snippetFinding(ev, "gevent-grpc");
      if (snip !== null) {
        const evidence: Evidence[] = [...snip];
        if (loopExit) evidence.push({ ...loopExit, kind: "exception" });
        return {
          confidence: "medium",
          message: "The code shown uses grpc under gevent without `init_gevent()`.",
          evidence,
        };
      }
      const s =
        findSentence(ev, [GRPC_WORDS, [...GEVENT_WORDS, "patching"], PROBLEM_TERMS]) ??
        (shownPatcher(ev)?.patcher === "gevent" ? findSentence(ev, [GRPC_WORDS, HANG_TERMS]) : null);
      if (s === null) return null;
      return {
        confidence: "medium",
        message: "The report describes grpc hanging or failing under gevent.",
        evidence: [sentenceEvidence(s), { kind: "text", text: p.because }],
      };
    },
    explain(ev) {
      return {
        summary: initGeventShown(ev)
          ? "grpc under gevent still hangs with `init_gevent()`: older grpcio releases had unreliable gevent support."
          : "grpc's C core does I/O gevent cannot see, so under monkey-patching it blocks the hub or ends in `LoopExit`.",
        cause: [
          "grpc's networking lives in its C core (`cygrpc`): waiting on it blocks every greenlet or leaves the hub nothing to run (`LoopExit`). `grpc.experimental.gevent.init_gevent()`, after `patch_all()` and before grpc is used, makes it cooperate.",
        ],
      };
    },
    answered: [["gevent"], ["grpc"], ["init_gevent", "experimental.gevent", "cooperat", "support"]],
    fixes: [
      {
        id: "upgrade-grpcio-already-init",
        verified: {
          source: "grpc's gevent support was reimplemented for grpcio 1.51.1 (corpus case grpc#27340)",
        },
        text: 'You already call `init_gevent()`: upgrade to grpcio ≥ 1.51.1 (`pip install -U "grpcio>=1.51.1"`), whose reimplemented gevent support fixed many hangs.',
        when: initGeventShown,
        whenDoc: "the report already calls `init_gevent()`",
      },
      {
        id: "check-init-order",
        verified: { lab: ["grpc-blocks-gevent", "fix-grpc-init-gevent"] },
        text: "Keep the order `monkey.patch_all()`, `init_gevent()`, then channels and servers, in every process (workers included).",
        when: initGeventShown,
        whenDoc: "the report already calls `init_gevent()`",
      },
      {
        id: "init-gevent",
        mentioned: INIT_GEVENT,
        verified: { lab: ["grpc-blocks-gevent", "fix-grpc-init-gevent"] },
        text: "Call `init_gevent()` right after patching, before any channel or server:",
        code: "from gevent import monkey\nmonkey.patch_all()\n\nimport grpc.experimental.gevent as grpc_gevent\ngrpc_gevent.init_gevent()",
        when: (ev) => !initGeventShown(ev),
        whenDoc: "the report does not call `init_gevent()` yet",
      },
      {
        id: "upgrade-grpcio",
        mentioned: UPGRADE_GRPCIO,
        verified: {
          source: "grpc's gevent support was reimplemented for grpcio 1.51.1 (corpus case grpc#27340)",
        },
        text: 'Use grpcio ≥ 1.51.1 (`pip install -U "grpcio>=1.51.1"`): its gevent support is much more stable.',
        when: (ev) => !initGeventShown(ev),
        whenDoc: "the report does not call `init_gevent()` yet",
      },
      {
        id: "separate-process",
        verified: {
          source:
            "Python's multiprocessing documentation: the spawn start method starts a fresh interpreter (https://docs.python.org/3/library/multiprocessing.html#contexts-and-start-methods)",
        },
        text: "If it still hangs, keep grpc out of the patched process.",
      },
    ],
  },
  code: {
    settledBy: [INIT_GEVENT_CALL],
    detect(facts) {
      const patch = processPatch(facts, "gevent");
      if (!patch || facts.calls.some((c) => c.qualified.endsWith("init_gevent"))) return [];
      const imp = importOf(facts, "grpc", (i) => i.module.startsWith("grpc.experimental.gevent"));
      if (!imp) return [];
      return [
        onPatch(
          facts,
          imp,
          patch,
          `grpc is used in a process patched by gevent (${patchedWhere(patch)}) without \`grpc.experimental.gevent.init_gevent()\`: its C core will block the gevent hub. Call \`init_gevent()\` right after patching, and use grpcio ≥ 1.51.1.`,
          // The run's process may call it elsewhere (a post_fork hook, the patching entry module).
          { settledBy: [INIT_GEVENT_CALL] },
        ),
      ];
    },
  },
  project: {
    detect(p) {
      const run = projectPatch(p, "gevent");
      const v = p.deps.version("grpcio");
      if (!run || !v || p.deps.inRange("grpcio", GRPC_GEVENT_OK) !== false) return [];
      const dep = p.deps.entry("grpcio");
      if (!dep) return [];
      return [
        onDependency(
          p,
          dep,
          run,
          `${versionWords(v)}, older than ${GRPC_GEVENT_FIXED}, the first release whose gevent support (\`grpc.experimental.gevent.init_gevent()\`) keeps the hub from blocking; this project runs patched by ${patchWords(run)}. Upgrade grpcio to ≥ ${GRPC_GEVENT_FIXED} and call \`init_gevent()\` right after patching.`,
          { fix: bumpPin(p, dep, GRPC_GEVENT_FIXED) },
        ),
      ];
    },
  },
  docs: {
    upstream: [
      { name: "gevent#786", url: "https://github.com/gevent/gevent/issues/786" },
      { name: "grpc#27340", url: "https://github.com/grpc/grpc/issues/27340" },
    ],
    what: `Issues:

- \`LoopExit\` with grpc frames, in a gevent report — \`high\`.
- A thread dump (faulthandler, py-spy) with a thread waiting in grpc's C core (\`channel_spin\`, \`next_call_event\`, \`cygrpc\`) in a report that shows gevent patching — \`medium\`.
- A snippet that patches with gevent and imports grpc without \`init_gevent()\` — \`medium\`.
- A sentence tying grpc to gevent/monkey-patching with a problem word (hangs, stuck, incompatible, ...) — \`medium\`.

Code: a gevent patch and an import of \`grpc\` (any submodule) with no call to \`init_gevent()\` in the file. Reported on the grpc import. A module that a run config loads patched counts as patched, at \`medium\`, unless the same project calls \`grpc.experimental.gevent.init_gevent()\` elsewhere (a gunicorn \`post_fork\` hook, the entry module that patches and then imports this one): a folder scan reads every module, a pull-request review searches the repository for the call.

Manifests: grpcio pinned or locked below 1.51.1 in a project that runs patched by gevent — \`medium\`, with the edit to 1.51.1 for a pin.`,
    why: "grpc's C core (`grpc._cython.cygrpc`) does its own I/O and threads, invisible to gevent: the hub blocks or ends with `LoopExit`.",
    example: {
      lang: "python",
      code: 'from gevent import monkey\nmonkey.patch_all()\n\nimport grpc  # <- reported here\n\nchannel = grpc.insecure_channel("localhost:50051")',
    },
    notMatched: "grpc under eventlet, and grpc with no gevent patching in the file or report.",
  },
});
