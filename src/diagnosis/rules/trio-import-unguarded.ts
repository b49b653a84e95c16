import { literal } from "../inline.js";
import { insidePackage } from "../paths.js";
import { versionIn } from "../project/dependencies.js";
import { TRIO_LINUX_IMPORT_FAILS } from "../project/knowledge.js";
import type { ImportStep } from "../project/modules.js";
import type { FileFacts, ImportFact } from "../python/facts.js";
import { type CodeFindingDraft, codeDraft, defineRule } from "../rule.js";
import { runEvidence } from "./shared/process.js";

const PATCHED_IMPORT =
  "Under gevent or eventlet patching, `import trio` raises `NotImplementedError` (macOS) or `AttributeError` (Linux) instead, and your users' programs crash. Catch those too, or import trio lazily.";

const IMPORT_ERRORS = new Set(["ImportError", "ModuleNotFoundError"]);
/** Handler names that also catch what a patched `import trio` raises. */
const CATCH_ALL = ["Exception", "BaseException", "*"];
const COVERS: Record<"NotImplementedError" | "AttributeError", readonly string[]> = {
  NotImplementedError: ["NotImplementedError", "RuntimeError", ...CATCH_ALL],
  AttributeError: ["AttributeError", ...CATCH_ALL],
};

/**
 * What escapes a handler that catches `ImportError` and more, by what the more is: with
 * `AttributeError` missing, Linux under gevent with trio 0.17 – 0.25 and eventlet with any trio
 * (lab cases trio-eventlet-linux-trio-0.22 and -0.34); with `NotImplementedError` missing, macOS.
 * The trio versions the project allows are named when known.
 */
function escapes(facts: FileFacts, missing: string[]): string {
  const trio = facts.context?.deps?.find((d) => d.name === "trio");
  const pinned = trio?.version ?? null;
  const parts: string[] = [];
  if (missing.includes("AttributeError")) {
    if (pinned !== null && !versionIn(pinned, TRIO_LINUX_IMPORT_FAILS))
      parts.push(
        `\`AttributeError\` escapes it: \`import trio\` raises that under eventlet with any trio (this project pins trio ${literal(pinned, 40)})`,
      );
    else {
      const allowed = pinned
        ? ` (this project pins trio ${literal(pinned, 40)})`
        : trio?.spec
          ? ` (this project allows trio ${literal(trio.spec, 60)})`
          : "";
      parts.push(
        `\`AttributeError\` escapes it: \`import trio\` raises that on Linux under gevent with trio 0.17 – 0.25${allowed}, and under eventlet with any trio`,
      );
    }
  }
  if (missing.includes("NotImplementedError"))
    parts.push("`NotImplementedError` escapes it: `import trio` raises that on macOS under either patcher");
  return `${parts.join("; ")}. Catch it too, or import trio lazily.`;
}

/** Rewrite `except ImportError:` to also catch what a patched `import trio` raises. */
function widenHeader(line: string): string | null {
  const at = line.indexOf("except");
  if (at < 0) return null;
  const colon = line.indexOf(":", at);
  if (colon < 0) return null;
  let head = line.slice(at + 6, colon).trim();
  let alias = "";
  const as = head.indexOf(" as ");
  if (as >= 0) {
    alias = head.slice(as);
    head = head.slice(0, as).trim();
  }
  const names = head
    .replace(/^\(|\)$/g, "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length === 0) return null;
  for (const extra of ["NotImplementedError", "AttributeError"])
    if (!names.includes(extra)) names.push(extra);
  return `${line.slice(0, at)}except (${names.join(", ")})${alias}${line.slice(colon)}`;
}

/** A finding on the `except` of a guard around `imp` that catches only ImportError; null otherwise. */
function guardFinding(
  facts: FileFacts,
  imp: ImportFact,
  /** The sentence, given how the guard falls short (`guard`) and what follows from it (`tail`). */
  compose: (guard: string, tail: string) => string,
  chain: ImportStep[] = [],
): CodeFindingDraft | null {
  const t = imp.inTry;
  // A handler that exits or re-raises: the import is required. A detector (success exits): the
  // import checks that trio is absent, and widening its handler would hide what it reports.
  if (t === null || t.handlersExit || t.detector) return null;
  // An optional import: some handler catches ImportError. What a patched import raises instead
  // must be caught too.
  if (!t.catches.some((c) => IMPORT_ERRORS.has(c) || CATCH_ALL.includes(c))) return null;
  const missing = (["NotImplementedError", "AttributeError"] as const).filter(
    (e) => !t.catches.some((c) => COVERS[e].includes(c)),
  );
  if (missing.length === 0) return null;
  const only = t.catches.every((c) => IMPORT_ERRORS.has(c));
  const message = only
    ? compose("only against `ImportError`", PATCHED_IMPORT)
    : compose(
        `against ${t.catches.map((c) => literal(c, 60)).join(" and ")}, not ${missing.map((m) => `\`${m}\``).join(" or ")}`,
        escapes(facts, missing),
      );
  const exceptText = facts.lines[t.exceptLine - 1] ?? "";
  const widened = widenHeader(exceptText);
  const at = { line: t.exceptLine, column: 1, endLine: t.exceptLine, endColumn: exceptText.length + 1 };
  const draft = codeDraft(
    facts,
    at,
    message,
    [t.exceptLine, imp.line],
    widened ? { fix: { startLine: t.exceptLine, endLine: t.exceptLine, text: widened } } : {},
  );
  // Quote the import first: it is what the reader looks for; then the chain to trio.
  draft.evidence.reverse();
  for (const step of chain) draft.evidence.push(runEvidence(step));
  return draft;
}

/** Guarded imports of project modules that import trio when they load (the project context says which). */
function viaLocalModule(facts: FileFacts): CodeFindingDraft[] {
  const local = facts.context?.localTrio;
  if (!local) return [];
  const out: CodeFindingDraft[] = [];
  const seen = new Set<number>();
  for (const imp of facts.imports) {
    if (!imp.moduleLevel || imp.inTypeChecking || imp.inTry === null) continue;
    const chain = local[imp.module] ?? imp.targets.map((t) => local[t]).find((c) => c !== undefined);
    const last = chain?.[chain.length - 1];
    if (!chain || !last || seen.has(imp.inTry.exceptLine)) continue;
    const through =
      chain.length > 1
        ? `, through ${chain
            .slice(0, -1)
            .map((s) => `${literal(s.file, 120)} line ${s.line}`)
            .join(" and ")}`
        : "";
    const draft = guardFinding(
      facts,
      imp,
      (guard, tail) =>
        `The optional import on line ${imp.line} is guarded ${guard}, but the project module it loads imports trio unconditionally (${literal(last.file, 120)} line ${last.line}${through}). ${tail}`,
      chain,
    );
    if (draft) {
      seen.add(imp.inTry.exceptLine);
      out.push(draft);
    }
  }
  return out;
}

export default defineRule({
  id: "trio-import-unguarded",
  order: 160,
  title: "optional trio import guarded only by ImportError",
  // The code side needs a handler for the import's failure (a guard around a project module
  // that imports trio is made relevant by the project context instead).
  needs: { source: [["trio"], ["ImportError", "ModuleNotFoundError"]] },
  code: {
    detect(facts) {
      const trioImports = facts.imports.filter(
        (i) => (i.module === "trio" || i.module.startsWith("trio.")) && i.moduleLevel && !i.inTypeChecking,
      );
      // trio is not optional in trio's own package, nor where the module also imports it unguarded.
      if (insidePackage(facts.path, "trio") || trioImports.some((i) => i.inTry === null)) return [];
      for (const imp of trioImports) {
        const draft = guardFinding(
          facts,
          imp,
          (guard, tail) => `This optional \`import trio\` (line ${imp.line}) is guarded ${guard}. ${tail}`,
        );
        if (draft) return [draft];
      }
      return viaLocalModule(facts);
    },
  },
  docs: {
    upstream: [
      { name: "trio#3119", url: "https://github.com/python-trio/trio/issues/3119" },
      {
        name: "httpcore `__init__`",
        url: "https://github.com/encode/httpcore/blob/master/httpcore/__init__.py",
      },
    ],
    what: "A module-level `import trio` (or `from trio import ...`) in a `try` whose handlers catch `ImportError`/`ModuleNotFoundError` but not both `NotImplementedError` (or `RuntimeError`) and `AttributeError`. Reported on the `except` line, with an exact suggestion. A guard that catches `NotImplementedError` but not `AttributeError` is judged by the trio versions the project allows: `AttributeError` is what trio 0.17 – 0.25 raises on Linux under gevent, and every trio under eventlet (lab cases trio-eventlet-linux-trio-0.22 and -0.34).\n\nIn a folder scan (`scan DIR`), also such a guard around an import of one of the project's own modules (relative, absolute, `src/` layout) that imports trio when it loads: at module level in that module, or in a project module it imports at module level. The message names the file and line of `import trio` and the modules in between.",
    why: "Under gevent/eventlet patching `import trio` raises `NotImplementedError` (macOS) or `AttributeError` (Linux), not `ImportError`, so the optional dependency crashes your users' programs. httpcore 1.0.6 guarded one such import (in `_synchronization.py`) but not the one in its `__init__`, which is why every httpcore through 1.0.9 still fails under a patcher (lab case httpcore-1.0.9-macos).",
    example: {
      lang: "python",
      code: "try:\n    import trio\nexcept ImportError:  # <- reported here\n    trio = None",
    },
    fix: "Catch what a patched `import trio` raises (the review suggests this exact edit), or import trio lazily inside the function that needs it:\n\n```python\ntry:\n    import trio\nexcept (ImportError, NotImplementedError, AttributeError):\n    trio = None\n```",
    notMatched:
      "Imports inside functions (lazy imports), handlers that catch all of it (`NotImplementedError` or `RuntimeError`, and `AttributeError`), `except Exception`; a check that trio is absent (the `else:` block, or the rest of the `try`, exits or raises: widening its handler would hide what it reports). In a folder scan, a guard around a project module is looked for only in projects that declare trio (a dependency or an extra such as `httpx[trio]`) or declare nothing.",
  },
});
