import { literal } from "../inline.js";
import type { FileFacts } from "../python/facts.js";
import { codeDraft, defineRule, type IssueEvidence } from "../rule.js";
import { findLine, mentions } from "../text/evidence.js";
import { versionOf } from "../text/versions.js";
import { snippetFinding } from "./shared/evidence.js";
import { NO_PRELOAD, PATCH_FIRST } from "./shared/mentions.js";
import {
  geventPatcher,
  geventPatches,
  importsBefore,
  importsModule,
  needs,
  PATCH_NEEDS,
  PATCHER_NEEDLES,
  patcher,
  patchesFirst,
  shownPatcher,
} from "./shared/patcher.js";
import { oldGeventNewPython, TLS_CLIENTS, unpatchedModules } from "./shared/ssl.js";

/** Modules that bind `ssl.SSLContext` directly when imported (gevent warns about these). */
const SSL_BINDING_MODULES = [
  "requests",
  "urllib3",
  "botocore",
  "boto3",
  "httplib2",
  "elasticsearch",
  "google.auth",
  "kombu",
  "redis",
];

/** Patches that replace `ssl`. */
const SSL_PATCHES = new Set(["patch_all", "patch_ssl", "import grequests", "import locust"]);

const via = (ev: IssueEvidence) => patcher(ev)?.via;

/** Calls that create an SSL context. */
const SSL_CONTEXT_CALLS = ["ssl.SSLContext", "ssl.create_default_context", "ssl._create_unverified_context"];

/**
 * The first thing before `line` that binds or uses the unpatched `ssl.SSLContext` at import time:
 * an import of a module that binds it, `from ssl import SSLContext`, a module-level context
 * created, or a module-level class derived from it (gevent cannot patch subclasses).
 */
function earlySslReference(facts: FileFacts, line: number): { line: number; what: string } | null {
  const found: { line: number; what: string }[] = [];
  const imp = importsBefore(
    facts,
    line,
    (i) => importsModule(i, SSL_BINDING_MODULES) !== null || i.targets.includes("ssl.SSLContext"),
  )[0];
  if (imp)
    found.push({
      line: imp.line,
      what: `${literal(importsModule(imp, SSL_BINDING_MODULES) ?? "ssl.SSLContext", 80)} was already imported`,
    });
  const call = facts.calls.find(
    (c) => c.moduleLevel && c.line < line && SSL_CONTEXT_CALLS.includes(c.qualified),
  );
  if (call)
    found.push({
      line: call.line,
      what: `an SSL context was already created (${literal(`${call.raw}()`, 60)})`,
    });
  const cls = facts.classes.find(
    (c) => c.moduleLevel && c.line < line && c.bases.some((b) => b === "ssl.SSLContext"),
  );
  if (cls)
    found.push({
      line: cls.line,
      what: `${literal(cls.name, 60)} already subclasses \`ssl.SSLContext\` (gevent does not patch subclasses)`,
    });
  return found.sort((a, b) => a.line - b.line)[0] ?? null;
}

export default defineRule({
  id: "gevent-patch-late-ssl",
  order: 50,
  title: "gevent patches ssl after SSLContext was already bound",
  needs: needs(PATCH_NEEDS, {
    // The code side reads the file's own first gevent patch: a patch call or a patching import.
    source: [
      PATCHER_NEEDLES,
      [...SSL_BINDING_MODULES, "SSLContext", "ssl"],
      ["patch_all", "patch_ssl", "grequests", "locust"],
    ],
    calls: SSL_CONTEXT_CALLS,
    bases: ["ssl.SSLContext"],
    words: ["sslcontext", "monkey-patching ssl", "recursionerror", "gevent", "grequests"],
  }),
  issue: {
    detect(ev) {
      const warning = findLine(ev, "Monkey-patching ssl after ssl has already been imported");
      if (warning !== null) {
        return {
          confidence: "high",
          message: "gevent patched `ssl` after a module had already bound `ssl.SSLContext`.",
          evidence: [{ ...warning, kind: "warning" }],
        };
      }
      const p = geventPatcher(ev);
      if (p === null) return null; // truststore & co. cause the same recursion
      const recursion = findLine(ev, "RecursionError", "maximum recursion depth");
      const sslFrame = ev.tracebacks.some((tb) =>
        tb.frames.some(
          (f) => f.module === "ssl" && (f.source ?? "").includes("super(SSLContext, SSLContext)"),
        ),
      );
      if (recursion !== null && sslFrame && shownPatcher(ev)?.patcher === "gevent") {
        return {
          confidence: "high",
          message: "gevent patched `ssl` after `SSLContext` was bound: infinite recursion in `ssl.py`.",
          evidence: [
            { ...recursion, kind: "exception" },
            { kind: "text", text: p.because },
          ],
        };
      }
      // Told, not pasted: the recursion named with gevent patching shown and a TLS client in play
      // (requests, urllib3, botocore, https). Without gevent (truststore, eventlet) it is a look-alike.
      if (
        recursion !== null &&
        shownPatcher(ev)?.patcher === "gevent" &&
        TLS_CLIENTS.some((m) => mentions(ev, m))
      )
        return {
          confidence: "medium",
          message: "A `RecursionError` under gevent with a TLS client: `ssl` was most likely patched late.",
          evidence: [
            { ...recursion, kind: "text" },
            { kind: "text", text: p.because },
          ],
        };
      const snip = snippetFinding(ev, "gevent-patch-late-ssl");
      if (snip === null) return null;
      return {
        confidence: "medium",
        message: "The code shown patches with gevent after importing a module that binds `ssl.SSLContext`.",
        evidence: snip,
      };
    },
    explain(ev) {
      const warning = findLine(ev, "(NOT patched):");
      const mods = warning ? unpatchedModules(warning.text) : [];
      const recursed = findLine(ev, "RecursionError", "maximum recursion depth") !== null;
      const cause = [
        "gevent must replace `ssl.SSLContext` before anything holds a direct reference: here a module that binds it (requests, urllib3, botocore, `from ssl import SSLContext`) was imported, or a context created, before `monkey.patch_all()`. A plain `import ssl` first is harmless.",
        recursed
          ? "Setting TLS options then recurses in `ssl.py` (`RecursionError`), on any Python 3."
          : "Left so, setting TLS options recurses in `ssl.py` (`RecursionError`), on any Python 3.",
      ];
      if (mods.length > 0)
        cause.push(`Not patched, per gevent: ${mods.map((m) => literal(m, 60)).join(", ")}.`);
      if (oldGeventNewPython(ev))
        return {
          summary: `gevent ${literal(versionOf(ev, "gevent") ?? "", 20)} predates Python 3.6 (first tested in gevent 1.2.0), so its \`ssl\` patch recurses on Python ${literal(ev.context.python ?? "", 10)} even when it patches first.`,
          cause: ["gevent 1.2.0 is the first release tested on Python 3.6."],
        };
      return {
        summary:
          "gevent monkey-patched `ssl` too late: a module had already bound `ssl.SSLContext` before `patch_all()` ran.",
        cause,
      };
    },
    answered: [
      ["patch", "monkey"],
      ["ssl", "sslcontext", "earlier", "first", "before", "preload"],
    ],
    fixes: [
      {
        id: "upgrade-gevent-py36",
        mentioned: [["gevent"], ["upgrad", "1.2", "newer"]],
        verified: {
          source:
            'gevent\'s changelog for 1.2.0 (https://github.com/gevent/gevent/blob/master/docs/changelog_1_2.rst): "Python 3.6 is now tested on POSIX platforms"; 1.1 predates it',
        },
        lead: oldGeventNewPython,
        when: oldGeventNewPython,
        whenDoc: "the report already patches first, with gevent older than 1.2 on Python 3.6 or later",
        text: "Upgrade gevent (`pip install -U gevent`): 1.2.0 is the first release tested on Python 3.6, and your code already patches first.",
      },
      {
        id: "gunicorn-no-preload",
        mentioned: NO_PRELOAD,
        verified: {
          source:
            "corpus case gunicorn#2796: with --preload the application is imported before the gevent worker patches",
        },
        text: (ev) => {
          const preload =
            mentions(ev, "--preload") ||
            mentions(ev, "preload_app = true") ||
            mentions(ev, "preload_app: true");
          return `gunicorn's gevent worker patches after the master imported your app${preload ? " (you run with `--preload`)" : " when `--preload` is on"}: drop \`--preload\`, or patch first thing in \`gunicorn.conf.py\` or the WSGI module.`;
        },
        doc: "gunicorn's gevent worker patches after the master imported your app when `--preload` is on: drop `--preload`, or patch first thing in `gunicorn.conf.py` or the WSGI module.",
        when: (ev) => via(ev) === "gunicorn",
        whenDoc: "the report runs gunicorn's gevent worker",
      },
      {
        id: "import-grequests-first",
        verified: { lab: ["ssl-patched-late", "fix-ssl-patch-first"] },
        text: "`import grequests` patches on import: import it before requests, urllib3 or anything that imports them.",
        when: (ev) => via(ev) === "grequests",
        whenDoc: "the report uses grequests",
      },
      {
        id: "patching-library-first",
        verified: { lab: ["ssl-patched-late", "fix-ssl-patch-first"] },
        text: (ev) => {
          const p = patcher(ev);
          const name = p?.via === "library" ? literal(p.library ?? "", 60) : "locust";
          return `${name} patches with gevent when it is imported: import ${name} first (or call \`monkey.patch_all()\` yourself first), before anything that imports requests or urllib3.`;
        },
        doc: "A library that patches when it is imported (locust, or one whose module calls `patch_all()`) must be imported first, or the patch made explicitly first thing, before anything that imports requests, urllib3 or botocore.",
        when: (ev) => via(ev) === "library" || via(ev) === "locust",
        whenDoc:
          "the report shows a library that patches when it is imported (locust, or one seen calling `patch_all()` in the traceback)",
      },
      {
        id: "patch-first",
        mentioned: PATCH_FIRST,
        verified: { lab: ["ssl-patched-late", "fix-ssl-patch-first"] },
        text: "Patch first thing in the entry point, before any other import:",
        code: "from gevent import monkey\nmonkey.patch_all()\n\nimport requests  # everything else after the patch",
        when: (ev) => !patchesFirst(ev),
        whenDoc: "the report does not already patch first",
      },
      {
        id: "entry-point",
        verified: { lab: ["ssl-patched-late", "fix-ssl-patch-first"] },
        text: "Your code already patches first, so something runs before it: the patch must be the first thing the process runs (the script, the WSGI or config module gunicorn loads, a `sitecustomize`).",
        when: (ev) => patchesFirst(ev) && !oldGeventNewPython(ev),
        whenDoc: "the report already patches first (and its gevent supports its Python)",
      },
      {
        id: "patching-import-first",
        verified: { lab: ["ssl-patched-late", "fix-ssl-patch-first"] },
        text: "If a library you import patches on import, import it first, or patch before it.",
        when: (ev) => !["grequests", "locust", "library"].includes(via(ev) ?? ""),
        whenDoc: "the report shows no library that patches on import",
      },
    ],
  },
  code: {
    detect(facts) {
      const first = geventPatches(facts)[0];
      if (!first || !SSL_PATCHES.has(first.how)) return [];
      if (first.how === "patch_all" && first.kwargs.get("ssl") === "False") return [];
      const early = earlySslReference(facts, first.line);
      if (!early) return [];
      return [
        codeDraft(
          facts,
          first,
          `gevent patches \`ssl\` here, but ${early.what} on line ${early.line}, so the unpatched \`ssl.SSLContext\` is already in use. Move the patch above every other import and statement.`,
          [first.line, early.line],
        ),
      ];
    },
  },
  docs: {
    upstream: [
      { name: "gevent#1016", url: "https://github.com/gevent/gevent/issues/1016" },
      { name: "gunicorn#2796", url: "https://github.com/benoitc/gunicorn/issues/2796" },
    ],
    what: `Issues:

- \`MonkeyPatchWarning: Monkey-patching ssl after ssl has already been imported ...\` (older gevent: the same text as a \`RuntimeWarning\`) — \`high\`.
- \`RecursionError: maximum recursion depth exceeded\` with \`ssl.py\` frames at \`super(SSLContext, SSLContext)...__set__\`, in a report that involves gevent — \`high\`.
- A code snippet in the issue with the code pattern — \`medium\`.

Code: the first gevent patch in a file (\`monkey.patch_all()\`, \`patch_ssl()\`, \`import grequests\`, \`import locust\`) comes after a module-level import of \`requests\`, \`urllib3\`, \`botocore\`, \`boto3\`, \`httplib2\`, \`elasticsearch\`, \`google.auth\`, \`kombu\`, \`redis\`, or \`from ssl import SSLContext\`, after a module-level \`ssl.SSLContext(...)\` / \`ssl.create_default_context()\`, or after a module-level class derived from \`ssl.SSLContext\` (gevent does not patch subclasses). Reported on the patch line.`,
    why: "gevent must replace `ssl.SSLContext` before anyone holds a direct reference to it. gevent ≥ 1.3.4 only warns when such a reference exists. Python 3.6 then recurses forever in `ssl.py`; later versions (3.10 and 3.11 included) silently misbehave.",
    example: {
      lang: "python",
      code: "import requests          # binds ssl.SSLContext\nfrom gevent import monkey\nmonkey.patch_all()       # <- reported here",
    },
    notMatched:
      "The same `RecursionError` caused by truststore or other SSL monkeypatching when gevent is not involved; `patch_all(ssl=False)`; imports under `if TYPE_CHECKING:`; harmless earlier imports (`ssl`, `pymysql`, stdlib).",
  },
});
