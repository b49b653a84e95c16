/**
 * Helpers of the project side of rules: how the project runs patched, in words, and a finding
 * on the manifest line that names a dependency (with the exact edit when the fix is a version
 * bump of a pin).
 */
import { literal } from "../../inline.js";
import type { VersionFact } from "../../project/dependencies.js";
import { baseName } from "../../project/manifests.js";
import type { Dependency } from "../../project/requirement.js";
import type { ProjectFacts, ProjectFindingDraft, ProjectPatch } from "../../rule.js";
import type { Confidence, Evidence, Replacement } from "../../types.js";
import { runEvidence, runWords } from "./process.js";

/** The first way the project runs patched by `patcher` (any patcher when not given). */
export function projectPatch(p: ProjectFacts, patcher?: "gevent" | "eventlet"): ProjectPatch | null {
  return p.patched.find((x) => patcher === undefined || x.patcher === patcher) ?? null;
}

/** "gunicorn's gevent worker (`gunicorn.conf.py` line 3)". */
export function patchWords(x: ProjectPatch): string {
  const { who, where } = runWords(x);
  return `${who} (${where})`;
}

/** "`uv.lock` locks httpcore 1.0.5" / "`requirements.txt` pins httpcore 1.0.5". */
export function versionWords(v: VersionFact): string {
  return `${literal(baseName(v.file), 80)} ${v.locked ? "locks" : "pins"} ${v.name} ${literal(v.version, 40)}`;
}

function lineOf(p: ProjectFacts, file: string, line: number): string {
  const text = p.files.get(file) ?? "";
  let start = 0;
  for (let n = 1; n < line; n++) {
    const nl = text.indexOf("\n", start);
    if (nl < 0) return "";
    start = nl + 1;
  }
  const end = text.indexOf("\n", start);
  return text.slice(start, end < 0 ? text.length : end).replace(/\r$/, "");
}

/**
 * The edit that moves a pin (`name==X`) to `to`, on the declaration's own line; null when the
 * line is not a simple pin (a range, a lock file, a table entry the edit cannot be sure of).
 */
export function bumpPin(p: ProjectFacts, dep: Dependency, to: string): Replacement | null {
  if (dep.locked || dep.version === null) return null;
  const line = lineOf(p, dep.file, dep.line);
  const at = line.indexOf(`==${dep.version}`);
  if (at < 0 || line.indexOf(`==${dep.version}`, at + 1) >= 0) return null;
  const end = at + 2 + dep.version.length;
  if (/[\w.]/.test(line[end] ?? "")) return null;
  const held = p.deps.version(dep.name);
  return {
    startLine: dep.line,
    endLine: dep.line,
    text: `${line.slice(0, at)}==${to}${line.slice(end)}`,
    ...(held?.locked ? { relock: baseName(held.file) } : {}),
  };
}

/** A finding on the manifest line of `dep`, resting on that line and on how the project runs. */
export function onDependency(
  p: ProjectFacts,
  dep: Dependency,
  run: ProjectPatch | null,
  message: string,
  extra: { confidence?: Confidence; fix?: Replacement | null; also?: Evidence[] } = {},
): ProjectFindingDraft {
  const text = lineOf(p, dep.file, dep.line);
  return {
    file: dep.file,
    confidence: extra.confidence ?? "medium",
    message,
    line: dep.line,
    column: 1,
    endLine: dep.line,
    endColumn: text.length + 1,
    evidenceLines: [dep.line],
    evidence: [
      { kind: "code", text: text.trim(), line: dep.line },
      ...(run ? [runEvidence(run)] : []),
      ...(extra.also ?? []),
    ],
    ...(extra.fix ? { fix: extra.fix } : {}),
  };
}
