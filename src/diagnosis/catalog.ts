/**
 * The read-only rule catalogue: what the rest of the product (report, GitHub, CLI, config) may
 * know about rules without importing them.
 */

import { LAB_RUNS } from "./lab-evidence.js";
import { REGISTRY } from "./registry.js";
import { kindsOf, type RuleDocs, type RuleKind, type Verified } from "./rule.js";

export interface FixInfo {
  /** `<rule>/<fix>` */
  id: string;
  title?: string;
  text: string;
  code?: string;
  when?: string;
  /** What shows it works, in words: the lab cases with what they ran on, or the cited source. */
  verified: string;
}

/**
 * "verified by the lab on trio 0.34.0, httpcore 1.0.9 (Linux, macOS simulated): `case`", one
 * clause per case, or "source: …".
 */
export function verifiedText(v: Verified): string {
  if ("source" in v) return `source: ${v.source}`;
  const runs = v.lab.map((id) => {
    const run = LAB_RUNS[id];
    return run ? `\`${id}\` (${run.versions}; ${run.platform})` : `\`${id}\``;
  });
  return `verified by the lab: ${runs.join("; ")}`;
}

export interface RuleInfo {
  id: string;
  title: string;
  kinds: readonly RuleKind[];
  /** The rule's page, relative to the repository root. */
  docPath: string;
  docs: RuleDocs;
  fixes: readonly FixInfo[];
  excludes: readonly string[];
  upstream: readonly { name: string; url: string }[];
}

export const CATALOG: readonly RuleInfo[] = REGISTRY.rules.map((r) => ({
  id: r.id,
  title: r.title,
  kinds: kindsOf(r),
  docPath: `docs/rules/${r.id}.md`,
  docs: r.docs,
  upstream: r.docs.upstream ?? [],
  fixes: (r.issue?.fixes ?? []).map((f) => ({
    id: `${r.id}/${f.id}`,
    ...(f.title ? { title: f.title } : {}),
    text: typeof f.text === "string" ? f.text : "doc" in f ? f.doc : "",
    ...(f.code ? { code: f.code } : {}),
    ...(f.whenDoc ? { when: f.whenDoc } : {}),
    verified: verifiedText(f.verified),
  })),
  excludes: r.excludes ?? [],
}));

export const RULE_IDS: readonly string[] = CATALOG.map((r) => r.id);

const BY_ID = new Map(CATALOG.map((r) => [r.id, r]));

export function ruleInfo(id: string): RuleInfo | undefined {
  return BY_ID.get(id);
}

export function ruleTitle(id: string): string {
  return BY_ID.get(id)?.title ?? id;
}
