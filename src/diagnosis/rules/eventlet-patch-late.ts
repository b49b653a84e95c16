import { literal } from "../inline.js";
import { insidePackage } from "../paths.js";
import type { FileFacts } from "../python/facts.js";
import { INERT_STDLIB } from "../python/inert-stdlib.js";
import type { IssueEvidence } from "../rule.js";
import { codeDraft, defineRule } from "../rule.js";
import { findLine } from "../text/evidence.js";
import { compareVersions } from "../text/versions.js";
import { snippetFinding } from "./shared/evidence.js";
import { EVENTLET_PATCH_FIRST } from "./shared/mentions.js";
import {
  importsBefore,
  needs,
  PATCH_NEEDS,
  patcher,
  patches,
  patchesFirst,
  topModule,
} from "./shared/patcher.js";

/** Imports that are harmless before a patch call: inert stdlib modules, and the green libraries themselves. */
const HARMLESS_BEFORE_PATCH = new Set([
  ...INERT_STDLIB,
  "typing_extensions",
  "gevent",
  "eventlet",
  "greenlet",
]);

function lateImports(facts: FileFacts, line: number) {
  return importsBefore(
    facts,
    line,
    // A relative import, or an absolute one of the package this module is in, is the package's
    // own module: what it imports is not known here.
    (imp) =>
      !imp.module.startsWith(".") &&
      !insidePackage(facts.path, topModule(imp.module)) &&
      !HARMLESS_BEFORE_PATCH.has(imp.module) &&
      !HARMLESS_BEFORE_PATCH.has(topModule(imp.module)),
  );
}

const workerPatches = (ev: IssueEvidence) => {
  const via = patcher(ev)?.via;
  return via === "celery" || via === "gunicorn";
};

/** The text shows monkey_patch() as the very first thing (REPL or snippet): "patch earlier" would be wrong. */
function patchShownFirst(ev: IssueEvidence): boolean {
  return ev.snippetFacts.some((f) => {
    const p = patches(f).find((x) => x.kind === "eventlet");
    return (
      p !== undefined &&
      lateImports(f, p.line).length === 0 &&
      !f.calls.some((c) => c.line < p.line && c.moduleLevel && c.qualified !== "eventlet.monkey_patch")
    );
  });
}

export default defineRule({
  id: "eventlet-patch-late",
  order: 140,
  title: "eventlet.monkey_patch() after other imports",
  needs: needs(PATCH_NEEDS, {
    // The code side needs a patch call: `eventlet.monkey_patch()`, `patcher.monkey_patch()`.
    source: [["eventlet"], ["monkey_patch"]],
    words: ["rlock", "eventlet", "monkey_patch"],
  }),
  issue: {
    detect(ev) {
      const l = findLine(ev, "RLock(s) were not greened");
      if (l !== null) {
        if (patchShownFirst(ev)) return null; // the spurious Python 3.12+/eventlet message
        return {
          confidence: "high",
          message: "Locks were created before `eventlet.monkey_patch()` ran.",
          evidence: [{ ...l, kind: "warning" }],
        };
      }
      const snip = snippetFinding(ev, "eventlet-patch-late");
      if (snip === null) return null;
      return {
        confidence: "medium",
        message: "The code shown creates locks or imports modules before `eventlet.monkey_patch()`.",
        evidence: snip,
      };
    },
    explain(ev) {
      const py = ev.context.python;
      const cause = [
        "Locks created before `eventlet.monkey_patch()` are native; eventlet greens the `RLock`s it can find and reports the rest (`N RLock(s) were not greened`). A module imported earlier can hold one and block the hub.",
      ];
      if (py === null || compareVersions(py, "3.12") >= 0)
        cause.push(
          `On Python 3.12+ with recent eventlet the message also appears when \`monkey_patch()\` is really first${py ? ` (you run Python ${py})` : ""}: then it is noise.`,
        );
      return {
        summary:
          "`eventlet.monkey_patch()` ran after other modules were imported, so locks they created are not green.",
        cause,
      };
    },
    answered: [
      ["monkey_patch", "patch"],
      ["first", "before", "earlier", "top"],
    ],
    fixes: [
      {
        id: "patch-first",
        mentioned: EVENTLET_PATCH_FIRST,
        verified: {
          source:
            "eventlet's patching guide: monkey_patch() before importing other modules (https://eventlet.readthedocs.io/en/latest/patching.html)",
        },
        text: "Make `import eventlet; eventlet.monkey_patch()` the first lines of the entry point, before any other import.",
        when: (ev) => !patchesFirst(ev),
        whenDoc: "the report does not already patch first",
      },
      {
        id: "worker-imports",
        verified: {
          source:
            "gunicorn's eventlet worker and celery's eventlet pool patch in their own start-up, before the application is loaded (`gunicorn/workers/geventlet.py`, `celery/__main__.py`)",
        },
        text: (ev) =>
          `${patcher(ev)?.via === "gunicorn" ? "gunicorn's eventlet worker" : "celery's eventlet pool"} imports its own modules (logging among them) before it patches: if your modules create no locks at import, the message is the worker's own.`,
        doc: "celery's eventlet pool and gunicorn's eventlet worker import their own modules (logging among them) before they patch, so a few locks are created first whatever your code does; eventlet's maintainers recommend moving off eventlet rather than chasing it.",
        lead: workerPatches,
        when: workerPatches,
        whenDoc: "the report runs celery's eventlet pool or gunicorn's eventlet worker",
      },
      {
        id: "nothing-at-import-time",
        verified: {
          source:
            "eventlet's patching guide: objects created before monkey_patch() keep the unpatched primitives (https://eventlet.readthedocs.io/en/latest/patching.html)",
        },
        text: "Create no threads, locks, loggers or clients at import time in modules imported before the patch.",
      },
      {
        id: "leave-eventlet",
        verified: {
          source:
            "eventlet's migration guide (https://eventlet.readthedocs.io/en/latest/asyncio/migration.html)",
        },
        text: "eventlet is being retired upstream: plan a move to asyncio or threads (see its migration guide).",
      },
    ],
  },
  code: {
    detect(facts) {
      const patch = patches(facts).find((p) => p.kind === "eventlet");
      if (!patch) return [];
      const late = lateImports(facts, patch.line)[0];
      if (!late) return [];
      return [
        codeDraft(
          facts,
          patch,
          `\`eventlet.monkey_patch()\` runs after ${literal(late.module, 80)} is imported (line ${late.line}); locks and sockets it created stay native. Patch before any other import.`,
          [patch.line, late.line],
        ),
      ];
    },
  },
  docs: {
    upstream: [{ name: "eventlet patching", url: "https://eventlet.readthedocs.io/en/latest/patching.html" }],
    what: `Issues:

- \`N RLock(s) were not greened, to fix this error make sure you run eventlet.monkey_patch() before importing any other modules.\` — \`high\`, **unless** the text (a snippet or REPL session) shows \`monkey_patch()\` as the first statement: on Python 3.12/3.13 recent eventlet prints the message spuriously, and "patch earlier" would be wrong advice.
- A snippet with the code pattern — \`medium\`.

Code: \`eventlet.monkey_patch()\` (or \`eventlet.patcher.monkey_patch()\`) after a module-level import other than inert standard-library modules (\`__future__\`, \`builtins\`, \`sys\`, \`os\`, \`typing\`, \`json\`, ...: each checked in a real interpreter to import nothing eventlet replaces) and the package's own imports (relative, or absolute ones of the package the module is in). Reported on the patch call.`,
    why: "Locks created before `monkey_patch()` stay native; eventlet cannot green the C `RLock` of CPython 3 afterwards, so they block the whole hub.",
    example: {
      lang: "python",
      code: "import flask\nimport eventlet\neventlet.monkey_patch()  # <- reported here",
    },
    notMatched:
      "The RLock message when the report shows `monkey_patch()` running first (spurious on Python 3.12/3.13).",
  },
});
