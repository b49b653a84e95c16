/**
 * What the configuration makes of an issue diagnosis, wherever it is shown (the App, the
 * playground): which findings get the comment, and which labels the high-confidence ones add.
 */
import type { IssueFinding } from "../diagnosis/types.js";
import type { Config } from "./schema.js";

/** The findings at or above `issues.min_confidence`: the ones the comment speaks about. */
export function atLeast<T extends Pick<IssueFinding, "confidence">>(
  findings: T[],
  min: "high" | "medium",
): T[] {
  return min === "high" ? findings.filter((f) => f.confidence === "high") : findings;
}

/** Label names for these rules: the per-rule name, or the default. */
export function labelsFor(config: Config, rules: string[]): string[] {
  const names = new Set<string>();
  const per = config.issues.labels.rules as Record<string, string | undefined>;
  for (const r of rules) names.add(per[r] ?? config.issues.labels.default);
  return [...names];
}

/** The labels the App adds for a diagnosis (only high-confidence findings label an issue). */
export function issueLabels(config: Config, findings: Pick<IssueFinding, "confidence" | "rule">[]): string[] {
  if (!config.issues.labels.enabled) return [];
  return labelsFor(
    config,
    findings.filter((f) => f.confidence === "high").map((f) => f.rule),
  );
}
