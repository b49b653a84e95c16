/**
 * The patch a module runs under: a patch call or patching import in the file itself, or, when the
 * project context says so, the worker that loads the module patched (gunicorn's gevent worker,
 * celery's gevent pool, uWSGI's gevent loop). Rules that only care whether the process is
 * patched read this instead of `patches()`.
 */
import { literal } from "../../inline.js";
import type { PatchedRun } from "../../project/runs.js";
import type { FileFacts, Span } from "../../python/facts.js";
import { type CodeFindingDraft, codeDraft, type ProjectPatch } from "../../rule.js";
import type { Evidence } from "../../types.js";
import { type PatchFact, type PatchKind, patches } from "./patcher.js";

export interface ProcessPatch {
  kind: PatchKind;
  /** The patch in this file, or null when a run config patches the process. */
  inFile: PatchFact | null;
  run: PatchedRun | null;
}

/** The patch this module runs under (of `kind`, when given): the file's own first, then its run's. */
export function processPatch(facts: FileFacts, kind?: PatchKind): ProcessPatch | null {
  const own = patches(facts).find((p) => kind === undefined || p.kind === kind);
  if (own) return { kind: own.kind, inFile: own, run: null };
  const run = facts.context?.run;
  if (run && (kind === undefined || run.patcher === kind)) return { kind: run.patcher, inFile: null, run };
  return null;
}

const VIA: Record<ProjectPatch["via"], string> = {
  gunicorn: "gunicorn's {p} worker",
  celery: "celery's {p} pool",
  uwsgi: "uWSGI's {p} loop",
  locust: "locust (it patches with {p} when imported)",
  code: "a module-level {p} patch",
};

type PatchSource = Pick<ProjectPatch, "via" | "patcher" | "file" | "line" | "text">;

/** "gunicorn's gevent worker" and where it is configured: "`gunicorn.conf.py` line 3". */
export function runWords(x: PatchSource): { who: string; where: string } {
  return { who: VIA[x.via].replace("{p}", x.patcher), where: `${literal(x.file, 120)} line ${x.line}` };
}

/** A line of a project file as evidence (a config line a run rests on, an import of a chain). */
export function runEvidence(x: Pick<PatchSource, "file" | "line" | "text">): Evidence {
  return { kind: "text", text: `${x.file}:${x.line}: ${x.text}` };
}

/**
 * Where the patch comes from, as a clause: "on line 3" / "through gunicorn's gevent worker, `x`
 * line 3" / "through a module-level gevent patch, `main.py` line 2, which imports this module
 * via `main.py` line 4 and `app/__init__.py` line 1".
 */
export function patchedWhere(p: ProcessPatch): string {
  if (p.inFile) return `on line ${p.inFile.line}`;
  const run = p.run as PatchedRun;
  const { who, where } = runWords(run);
  const chain = run.chain ?? [];
  const how =
    chain.length > 0
      ? `, which imports this module via ${chain.map((s) => `${literal(s.file, 120)} line ${s.line}`).join(" and ")}`
      : "";
  return `through ${who}, ${where}${how}`;
}

/** The run's evidence: its config or patch line, then the imports that load this module. */
function runChainEvidence(run: PatchedRun): Evidence[] {
  return [runEvidence(run), ...(run.chain ?? []).map(runEvidence)];
}

/**
 * A finding on `at` that rests on the process patch. A patch seen in the file is `high`; a patch
 * read from a run config is `medium` (the config may start another part of the project) and the
 * evidence quotes the config line. `settledBy`: calls that, made elsewhere in the project, apply
 * the fix for a run's process (kept on the finding only when a run gave the patch).
 */
export function onPatch(
  facts: FileFacts,
  at: Span,
  p: ProcessPatch,
  message: string,
  extra: Parameters<typeof codeDraft>[4] & { settledBy?: readonly string[] } = {},
): CodeFindingDraft {
  const { settledBy, ...rest } = extra;
  if (p.inFile) return codeDraft(facts, at, message, [at.line, p.inFile.line], rest);
  const d = codeDraft(facts, at, message, [at.line], { ...rest, confidence: "medium" });
  return {
    ...d,
    evidence: [...d.evidence, ...runChainEvidence(p.run as PatchedRun)],
    ...(settledBy && settledBy.length > 0 ? { settledBy } : {}),
  };
}
