/**
 * The read-only rule catalogue: what the rest of the product (report, GitHub, CLI, config) may
 * know about rules without importing them.
 */

import { REGISTRY } from "./registry.js";
import { kindsOf, type RuleDocs, type RuleKind } from "./rule.js";

export interface FixInfo {
  /** `<rule>/<fix>` */
  id: string;
  title?: string;
  text: string;
  code?: string;
  when?: string;
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
}

export const CATALOG: readonly RuleInfo[] = REGISTRY.rules.map((r) => ({
  id: r.id,
  title: r.title,
  kinds: kindsOf(r),
  docPath: `docs/rules/${r.id}.md`,
  docs: r.docs,
  fixes: (r.issue?.fixes ?? []).map((f) => ({
    id: `${r.id}/${f.id}`,
    ...(f.title ? { title: f.title } : {}),
    text: typeof f.text === "string" ? f.text : "doc" in f ? f.doc : "",
    ...(f.code ? { code: f.code } : {}),
    ...(f.whenDoc ? { when: f.whenDoc } : {}),
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
