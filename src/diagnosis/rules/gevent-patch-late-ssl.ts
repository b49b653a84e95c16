import {
  codeEvidence,
  geventPatches,
  importsBefore,
  importsModule,
  patcher,
  SSL_BINDING_MODULES,
  shownPatcher,
  snippetFinding,
} from "../knowledge.js";
import { code } from "../md.js";
import type { Rule } from "../rule.js";
import { findLine, mentions } from "../text/evidence.js";
import type { Evidence } from "../types.js";

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

const rule: Rule = {
  id: "gevent-patch-late-ssl",
  title: "gevent patches ssl after SSLContext was already bound",
  issue: {
    detect(ev) {
      const warning = findLine(ev, "Monkey-patching ssl after ssl has already been imported");
      if (warning !== null) {
        return {
          rule: rule.id,
          confidence: "high",
          message: "gevent patched `ssl` after a module had already bound `ssl.SSLContext`.",
          evidence: [{ ...warning, kind: "warning" }],
        };
      }
      const p = patcher(ev);
      if (p === null || p.patcher !== "gevent") return null; // truststore & co. cause the same recursion
      const recursion = findLine(ev, "RecursionError", "maximum recursion depth");
      const sslFrame = ev.tracebacks.some((tb) =>
        tb.frames.some(
          (f) => f.module === "ssl" && (f.source ?? "").includes("super(SSLContext, SSLContext)"),
        ),
      );
      if (recursion !== null && sslFrame && shownPatcher(ev)?.patcher === "gevent") {
        return {
          rule: rule.id,
          confidence: "high",
          message: "gevent patched `ssl` after `SSLContext` was bound: infinite recursion in `ssl.py`.",
          evidence: [
            { ...recursion, kind: "exception" },
            { kind: "text", text: p.because },
          ],
        };
      }
      const snip = snippetFinding(ev, rule.id);
      if (snip !== null) {
        return {
          rule: rule.id,
          confidence: "medium",
          message: "The code shown patches with gevent after importing a module that binds `ssl.SSLContext`.",
          evidence: [snip],
        };
      }
      return null;
    },
    explain(_f, ev) {
      const p = patcher(ev);
      const warning = findLine(ev, "(NOT patched):");
      const mods = warning ? unpatchedModules(warning.text) : [];
      const cause = [
        "gevent has to replace `ssl.SSLContext` before anything keeps a direct reference to it. Here a module that binds it directly (requests, urllib3, botocore, ... or `from ssl import SSLContext`) was imported, or an `SSLContext` created, before `monkey.patch_all()` ran. gevent ≥ 1.3.4 only warns when such a reference exists; a plain `import ssl` first is harmless.",
        "The result is an infinite recursion in `ssl.py` (`super(SSLContext, SSLContext).options.__set__`, `RecursionError: maximum recursion depth exceeded`) on Python 3.6, and silently wrong TLS behaviour on later versions, 3.10 and 3.11 included.",
      ];
      if (mods.length > 0)
        cause.push(
          `gevent named the modules it could not patch: ${mods.map((m) => code(m, 60)).join(", ")}.`,
        );
      const fixes: string[] = [];
      const preload =
        mentions(ev, "--preload") || mentions(ev, "preload_app = true") || mentions(ev, "preload_app: true");
      if (p?.via === "gunicorn") {
        fixes.push(
          `gunicorn's gevent worker patches when the worker starts, after the master imported your app${preload ? " (you run with `--preload`, so the app and requests/urllib3 are imported in the master before any patching)" : " when `--preload` is on"}. Drop \`--preload\` for gevent workers, or patch first thing in the config file (\`gunicorn.conf.py\`) or in the WSGI module, before any other import.`,
        );
      }
      if (p?.via === "grequests") {
        fixes.push(
          "`import grequests` patches with gevent when it is imported: import it first, before requests, urllib3 or anything that imports them.",
        );
      }
      fixes.push(
        "Patch first thing in the entry point, before any other import:\n\n```python\nfrom gevent import monkey\nmonkey.patch_all()\n\nimport requests  # everything else after the patch\n```",
      );
      fixes.push(
        "If a library you import patches on import, import that library first, or patch explicitly before it.",
      );
      return {
        summary:
          "gevent monkey-patched `ssl` too late: a module had already bound `ssl.SSLContext` before `patch_all()` ran.",
        cause,
        fixes,
      };
    },
  },
  code: {
    detect(facts) {
      const first = geventPatches(facts)[0];
      if (!first) return [];
      if (first.how === "patch_all" && first.kwargs.get("ssl") === "False") return [];
      if (!["patch_all", "patch_ssl", "import grequests", "import locust"].includes(first.how)) return [];
      const late = importsBefore(
        facts,
        first.line,
        (imp) => importsModule(imp, SSL_BINDING_MODULES) !== null || imp.targets.includes("ssl.SSLContext"),
      );
      const imp = late[0];
      if (!imp) return [];
      const mod = importsModule(imp, SSL_BINDING_MODULES) ?? "ssl.SSLContext";
      const evidence: Evidence[] = [codeEvidence(facts, first.line), codeEvidence(facts, imp.line)];
      return [
        {
          confidence: "high",
          message: `gevent patches \`ssl\` here, but ${code(mod, 80)} was already imported on line ${imp.line} and holds the unpatched \`ssl.SSLContext\`. Move the patch above every other import.`,
          line: first.line,
          column: first.column,
          endLine: first.endLine,
          endColumn: first.endColumn,
          evidenceLines: [first.line, imp.line],
          evidence,
        },
      ];
    },
  },
};

export default rule;
