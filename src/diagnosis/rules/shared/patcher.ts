/**
 * The patchers (gevent, eventlet) as most rules see them: patch calls and patching imports in
 * code, and the patcher a report shows. Family helpers; no rule owns them alone.
 */

import { append } from "../../append.js";
import { PATCHES_ON_IMPORT } from "../../project/knowledge.js";
import type { FileFacts, ImportFact, Span } from "../../python/facts.js";
import { type IssueEvidence, type Needs, perReport } from "../../rule.js";
import type { PatcherFact } from "../../text/context.js";
import { lowerText } from "../../text/evidence.js";
import type { Evidence } from "../../types.js";

export type PatchKind = "gevent" | "eventlet";

export interface PatchFact extends Span {
  kind: PatchKind;
  /** e.g. `patch_all`, `monkey_patch`, `import grequests`. */
  how: string;
  kwargs: Map<string, string>;
  moduleLevel: boolean;
}

const PATCH_CALLS = new Map<string, { kind: PatchKind; how: string }>([
  ["gevent.monkey.patch_all", { kind: "gevent", how: "patch_all" }],
  ["gevent.monkey.patch_socket", { kind: "gevent", how: "patch_socket" }],
  ["gevent.monkey.patch_ssl", { kind: "gevent", how: "patch_ssl" }],
  ["gevent.monkey.patch_select", { kind: "gevent", how: "patch_select" }],
  ["gevent.monkey.patch_thread", { kind: "gevent", how: "patch_thread" }],
  ["eventlet.monkey_patch", { kind: "eventlet", how: "monkey_patch" }],
  ["eventlet.patcher.monkey_patch", { kind: "eventlet", how: "monkey_patch" }],
]);

/** Modules that patch with gevent as a side effect of being imported (the knowledge table's). */
const PATCHING_IMPORTS = new Map<string, string>(
  [...PATCHES_ON_IMPORT.keys()].map((m) => [m, `import ${m}`]),
);

/** Needles of any patched source: the patchers' and the patching imports' names. */
export const PATCHER_NEEDLES = ["gevent", "eventlet", "grequests", "locust"] as const;

/** What a rule that reads `patches()` needs; spread it into the rule's own needs. */
export const PATCH_NEEDS = {
  calls: [...PATCH_CALLS.keys()],
  // `monkey.patch_all()` in a hunk whose `from gevent import monkey` is outside it.
  hunk: ["patch_all", "monkey_patch", "patch_socket", "patch_ssl"],
} satisfies Needs;

/** Combine needs (groups of `source` are all required; lists are joined). */
export function needs(...parts: Needs[]): Needs {
  type Lists = { source: (readonly string[])[] } & Record<"calls" | "bases" | "hunk" | "words", string[]>;
  const out: Lists = { source: [], calls: [], bases: [], hunk: [], words: [] };
  for (const p of parts) {
    append(out.source, p.source ?? []);
    append(out.calls, p.calls ?? []);
    append(out.bases, p.bases ?? []);
    append(out.hunk, p.hunk ?? []);
    append(out.words, p.words ?? []);
  }
  return out;
}

const memo = new WeakMap<FileFacts, PatchFact[]>();

/** Patch calls and patching imports of a file, in source order. */
export function patches(facts: FileFacts): PatchFact[] {
  const known = memo.get(facts);
  if (known) return known;
  const out: PatchFact[] = [];
  for (const c of facts.calls) {
    const p = PATCH_CALLS.get(c.qualified);
    if (p)
      out.push({
        line: c.line,
        column: c.column,
        endLine: c.endLine,
        endColumn: c.endColumn,
        kind: p.kind,
        how: p.how,
        kwargs: c.kwargs,
        moduleLevel: c.moduleLevel,
      });
  }
  for (const imp of facts.imports) {
    if (imp.inTypeChecking) continue;
    const how =
      imp.targets.map((t) => PATCHING_IMPORTS.get(t)).find((h) => h) ?? PATCHING_IMPORTS.get(imp.module);
    if (how)
      out.push({
        line: imp.line,
        column: imp.column,
        endLine: imp.endLine,
        endColumn: imp.endColumn,
        kind: "gevent",
        how,
        kwargs: new Map(),
        moduleLevel: imp.moduleLevel,
      });
  }
  out.sort((x, y) => x.line - y.line || x.column - y.column);
  memo.set(facts, out);
  return out;
}

export function geventPatches(facts: FileFacts): PatchFact[] {
  return patches(facts).filter((p) => p.kind === "gevent");
}

export function topModule(m: string): string {
  return m.split(".")[0] ?? m;
}

/** Module-level imports before a line (not under TYPE_CHECKING) that satisfy `pred`. */
export function importsBefore(
  facts: FileFacts,
  line: number,
  pred: (imp: ImportFact) => boolean,
): ImportFact[] {
  return facts.imports.filter((i) => i.moduleLevel && !i.inTypeChecking && i.line < line && pred(i));
}

/** The first of `mods` that the import brings in (itself or a submodule), or null. */
export function importsModule(imp: ImportFact, mods: readonly string[]): string | null {
  for (const t of [imp.module, ...imp.targets]) {
    for (const m of mods) if (t === m || t.startsWith(`${m}.`)) return m;
  }
  return null;
}

/** The first import of `mod` or its submodules (not under TYPE_CHECKING). */
export function importOf(
  facts: FileFacts,
  mod: string,
  except?: (i: ImportFact) => boolean,
): ImportFact | undefined {
  return facts.imports.find(
    (i) => !i.inTypeChecking && (i.module === mod || i.module.startsWith(`${mod}.`)) && !except?.(i),
  );
}

// ---- issue text ----

/**
 * The patcher of the report. When the failure itself names eventlet (its greendns or
 * `eventlet.green` modules in the traceback, "monkey-patched out by eventlet"), eventlet is the
 * one to blame even if gevent is mentioned too.
 */
export const patcher = perReport((ev: IssueEvidence): PatcherFact | null => {
  const p = ev.context.patchers[0] ?? null;
  if (p?.patcher !== "gevent") return p;
  const text = lowerText(ev);
  const namesEventlet =
    ev.tracebacks.some((tb) => tb.frames.some((f) => f.pkg === "eventlet")) ||
    text.includes("monkey-patched out by eventlet") ||
    text.includes("'eventlet.green.select'");
  return (namesEventlet && ev.context.patchers.find((x) => x.patcher === "eventlet")) || p;
});

/** The patch is applied by an explicit call or a worker setting the reporter controls. */
export function patchCallShown(ev: IssueEvidence): boolean {
  return ev.context.patchers.some((p) => p.via === "direct" || p.via === "gunicorn" || p.via === "celery");
}

/** The report's patcher, when it is gevent. */
export function geventPatcher(ev: IssueEvidence): PatcherFact | null {
  const p = patcher(ev);
  return p?.patcher === "gevent" ? p : null;
}

export function patcherEvidence(p: PatcherFact): Evidence {
  return { kind: "text", text: p.because };
}

export function patcherName(p: PatcherFact | null): string {
  return p?.patcher === "eventlet" ? "eventlet" : "gevent";
}

export { patcherHow } from "../../text/patcher-words.js";

const PATCH_WORDS = ["patch", "monkey", "worker", "-k ", "pool", "greenlet"];

/**
 * Patching shown, not just a library named: a patch call, gunicorn/celery/locust/grequests,
 * gevent/eventlet frames, or a sentence that ties gevent/eventlet to patching or workers.
 * Generic errors (asyncio's, epoll's) need this; a pip list naming gevent does not count.
 */
export const shownPatcher = perReport((ev: IssueEvidence): PatcherFact | null => {
  const strong = ev.context.patchers.find((p) => p.via !== "mentioned" || p.strong);
  if (strong) return strong;
  for (const s of ev.sentences) {
    for (const name of ["gevent", "eventlet"] as const) {
      if (s.text.includes(name) && PATCH_WORDS.some((w) => s.text.includes(w)))
        return { patcher: name, via: "mentioned", because: `the report says it patches with ${name}` };
    }
  }
  return null;
});

const FIRST_WORDS = [
  "first line",
  "first thing",
  "very first",
  "at the top",
  "top of",
  "before any other import",
  "before importing anything",
  "very early",
  "before importing other",
];

/** Words that make a sentence about the reporter's own setup (not advice or a described change). */
const OWN_SETUP = [
  "already",
  "ensured",
  "i've",
  "we've",
  "i have",
  "we have",
  "i do",
  "we do",
  "i call",
  "we call",
  "is called",
  "running",
  "we run",
  "i run",
];

/**
 * The reporter already patches first: a snippet whose first statement is the patch, or a sentence
 * that says so. "Patch first" is then no news to them.
 */
export const patchesFirst = perReport((ev: IssueEvidence): boolean => {
  // gunicorn's and celery's workers patch before they import the application.
  if (patcher(ev)?.via === "gunicorn" || patcher(ev)?.via === "celery") return true;
  for (const f of ev.snippetFacts) {
    const p = patches(f)[0];
    if (!p?.moduleLevel) continue;
    const earlier = f.imports.some(
      (i) =>
        i.moduleLevel &&
        i.line < p.line &&
        !["gevent", "eventlet", "__future__"].includes(topModule(i.module)),
    );
    if (!earlier && !f.calls.some((c) => c.moduleLevel && c.line < p.line)) return true;
  }
  return ev.sentences.some(
    (s) =>
      (s.text.includes("patch") || s.text.includes("monkey")) &&
      FIRST_WORDS.some((w) => s.text.includes(w)) &&
      OWN_SETUP.some((w) => s.text.includes(w)),
  );
});
