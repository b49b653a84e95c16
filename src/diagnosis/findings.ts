/**
 * Findings as the engine hands them out: stable fingerprints, excludes between rules, the
 * project rules over a project's facts, and the manifest findings that code findings cover.
 */

import { REGISTRY, type Registry } from "./registry.js";
import type { ProjectFacts } from "./rule.js";
import type { CodeFinding } from "./types.js";

export interface RuleFilter {
  /** Return false to switch a rule off. */
  enabled?: (ruleId: string) => boolean;
}

/** FNV-1a (64-bit) as hex: a stable, dependency-free fingerprint. */
export function fnv1a(text: string): string {
  let h = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * prime) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, "0");
}

export function fingerprint(rule: string, path: string, anchorText: string): string {
  return fnv1a(`${rule}\u0000${path}\u0000${anchorText.replace(/\s+/g, " ").trim()}`);
}

/** Drop the findings of rules excluded by another rule that fired on the same input. */
export function applyExcludes<T extends { rule: string }>(findings: T[], registry: Registry): T[] {
  const fired = new Set(findings.map((f) => f.rule));
  const excluded = new Set<string>();
  for (const id of fired) for (const x of registry.byId.get(id)?.excludes ?? []) excluded.add(x);
  return excluded.size === 0 ? findings : findings.filter((f) => !excluded.has(f.rule));
}

/** Project rules over a project's dependencies and runs: findings on manifest lines. */
export function scanProject(
  project: ProjectFacts,
  filter: RuleFilter = {},
  registry: Registry = REGISTRY,
): CodeFinding[] {
  const out: CodeFinding[] = [];
  for (const rule of registry.rules) {
    if (!rule.project) continue;
    for (const d of rule.project.detect(project)) {
      const anchor = d.evidence[0]?.text ?? "";
      out.push({ ...d, rule: rule.id, fingerprint: fingerprint(rule.id, d.file, anchor) });
    }
  }
  return applyExcludes(out, registry)
    .filter((f) => !filter.enabled || filter.enabled(f.rule))
    .sort((a, b) =>
      a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.rule.localeCompare(b.rule),
    );
}

/**
 * Drop the manifest findings that only repeat code findings: every code line one rests on is
 * reported by the same rule.
 */
export function withoutCovered(project: CodeFinding[], code: readonly CodeFinding[]): CodeFinding[] {
  const reported = new Set(code.map((f) => `${f.rule}\u0000${f.file}\u0000${f.line}`));
  return project.filter(
    (f) =>
      !f.restsOn ||
      f.restsOn.length === 0 ||
      !f.restsOn.every((r) => reported.has(`${f.rule}\u0000${r.file}\u0000${r.line}`)),
  );
}

/**
 * Drop the code findings a run gave whose fix the project applies elsewhere: a call named in
 * `settledBy` made in the same project's own code (`counts` says whether a call's file is that,
 * not a test, for a finding's file), such as `init_gevent()` in a gunicorn `post_fork` hook or in
 * the entry module that patches and then imports this one.
 */
export function withoutSettled(
  findings: CodeFinding[],
  calls: readonly { file: string; qualified: string }[],
  counts: (callFile: string, findingFile: string) => boolean,
): CodeFinding[] {
  if (!findings.some((f) => f.settledBy)) return findings;
  return findings.filter(
    (f) => !f.settledBy || !calls.some((c) => f.settledBy?.includes(c.qualified) && counts(c.file, f.file)),
  );
}
