import { literal } from "../inline.js";
import { codeDraft, defineRule, type IssueEvidence } from "../rule.js";
import { findLine, mentions } from "../text/evidence.js";
import { snippetFinding } from "./shared/evidence.js";
import {
  geventPatcher,
  geventPatches,
  importsBefore,
  importsModule,
  needs,
  PATCH_NEEDS,
  PATCHER_NEEDLES,
  patcher,
  shownPatcher,
} from "./shared/patcher.js";

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

/** The module list gevent prints after "Modules that had direct imports (NOT patched):". */
function unpatchedModules(text: string): string[] {
  const i = text.indexOf("(NOT patched):");
  if (i < 0) return [];
  const out: string[] = [];
  for (const part of text.slice(i + 14).split("'")) {
    const name = part.trim().split(" ")[0] ?? "";
    if (/^[A-Za-z_][\w.]*$/.test(name) && name.length < 80 && !out.includes(name)) out.push(name);
    if (out.length >= 5) break;
  }
  return out;
}

const via = (ev: IssueEvidence) => patcher(ev)?.via;

export default defineRule({
  id: "gevent-patch-late-ssl",
  order: 50,
  title: "gevent patches ssl after SSLContext was already bound",
  needs: needs(PATCH_NEEDS, {
    source: [PATCHER_NEEDLES, [...SSL_BINDING_MODULES, "SSLContext"]],
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
      const snip = snippetFinding(ev, "gevent-patch-late-ssl");
      if (snip === null) return null;
      return {
        confidence: "medium",
        message: "The code shown patches with gevent after importing a module that binds `ssl.SSLContext`.",
        evidence: [snip],
      };
    },
    explain(ev) {
      const warning = findLine(ev, "(NOT patched):");
      const mods = warning ? unpatchedModules(warning.text) : [];
      const cause = [
        "gevent has to replace `ssl.SSLContext` before anything keeps a direct reference to it. Here a module that binds it directly (requests, urllib3, botocore, ... or `from ssl import SSLContext`) was imported, or an `SSLContext` created, before `monkey.patch_all()` ran. gevent ≥ 1.3.4 only warns when such a reference exists; a plain `import ssl` first is harmless.",
        "The result is an infinite recursion in `ssl.py` (`super(SSLContext, SSLContext).options.__set__`, `RecursionError: maximum recursion depth exceeded`) on Python 3.6, and silently wrong TLS behaviour on later versions, 3.10 and 3.11 included.",
      ];
      if (mods.length > 0)
        cause.push(
          `gevent named the modules it could not patch: ${mods.map((m) => literal(m, 60)).join(", ")}.`,
        );
      return {
        summary:
          "gevent monkey-patched `ssl` too late: a module had already bound `ssl.SSLContext` before `patch_all()` ran.",
        cause,
      };
    },
    fixes: [
      {
        id: "gunicorn-no-preload",
        text: (ev) => {
          const preload =
            mentions(ev, "--preload") ||
            mentions(ev, "preload_app = true") ||
            mentions(ev, "preload_app: true");
          return `gunicorn's gevent worker patches when the worker starts, after the master imported your app${preload ? " (you run with `--preload`, so the app and requests/urllib3 are imported in the master before any patching)" : " when `--preload` is on"}. Drop \`--preload\` for gevent workers, or patch first thing in the config file (\`gunicorn.conf.py\`) or in the WSGI module, before any other import.`;
        },
        doc: "gunicorn's gevent worker patches when the worker starts, after the master imported your app when `--preload` is on. Drop `--preload` for gevent workers, or patch first thing in the config file (`gunicorn.conf.py`) or in the WSGI module, before any other import.",
        when: (ev) => via(ev) === "gunicorn",
        whenDoc: "the report runs gunicorn's gevent worker",
      },
      {
        id: "import-grequests-first",
        text: "`import grequests` patches with gevent when it is imported: import it first, before requests, urllib3 or anything that imports them.",
        when: (ev) => via(ev) === "grequests",
        whenDoc: "the report uses grequests",
      },
      {
        id: "patch-first",
        text: "Patch first thing in the entry point, before any other import:",
        code: "from gevent import monkey\nmonkey.patch_all()\n\nimport requests  # everything else after the patch",
      },
      {
        id: "patching-import-first",
        text: "If a library you import patches on import, import that library first, or patch explicitly before it.",
      },
    ],
  },
  code: {
    detect(facts) {
      const first = geventPatches(facts)[0];
      if (!first || !SSL_PATCHES.has(first.how)) return [];
      if (first.how === "patch_all" && first.kwargs.get("ssl") === "False") return [];
      const imp = importsBefore(
        facts,
        first.line,
        (i) => importsModule(i, SSL_BINDING_MODULES) !== null || i.targets.includes("ssl.SSLContext"),
      )[0];
      if (!imp) return [];
      const mod = importsModule(imp, SSL_BINDING_MODULES) ?? "ssl.SSLContext";
      return [
        codeDraft(
          facts,
          first,
          `gevent patches \`ssl\` here, but ${literal(mod, 80)} was already imported on line ${imp.line} and holds the unpatched \`ssl.SSLContext\`. Move the patch above every other import.`,
          [first.line, imp.line],
        ),
      ];
    },
  },
  docs: {
    what: `Issues:

- \`MonkeyPatchWarning: Monkey-patching ssl after ssl has already been imported ...\` (older gevent: the same text as a \`RuntimeWarning\`) — \`high\`.
- \`RecursionError: maximum recursion depth exceeded\` with \`ssl.py\` frames at \`super(SSLContext, SSLContext)...__set__\`, in a report that involves gevent — \`high\`.
- A code snippet in the issue with the code pattern — \`medium\`.

Code: the first gevent patch in a file (\`monkey.patch_all()\`, \`patch_ssl()\`, \`import grequests\`, \`import locust\`) comes after a module-level import of \`requests\`, \`urllib3\`, \`botocore\`, \`boto3\`, \`httplib2\`, \`elasticsearch\`, \`google.auth\`, \`kombu\`, \`redis\`, or \`from ssl import SSLContext\`. Reported on the patch line.`,
    why: "gevent must replace `ssl.SSLContext` before anyone holds a direct reference to it. gevent ≥ 1.3.4 only warns when such a reference exists. Python 3.6 then recurses forever in `ssl.py`; later versions (3.10 and 3.11 included) silently misbehave.",
    example: {
      lang: "python",
      code: "import requests          # binds ssl.SSLContext\nfrom gevent import monkey\nmonkey.patch_all()       # <- reported here",
    },
    notMatched:
      "The same `RecursionError` caused by truststore or other SSL monkeypatching when gevent is not involved; `patch_all(ssl=False)`; imports under `if TYPE_CHECKING:`; harmless earlier imports (`ssl`, `pymysql`, stdlib).",
  },
});
