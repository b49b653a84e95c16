/**
 * The one rule filter: a rule runs unless the configuration switches it off or the caller
 * disables it (the CLI's `--disable`). Apart from the schema, so that a page can use it without
 * the validator.
 */
import type { RuleFilter } from "../diagnosis/engine.js";
import type { Config } from "./schema.js";

export function ruleFilter(config: Pick<Config, "rules">, disabled: Iterable<string> = []): RuleFilter {
  const rules = config.rules as Record<string, string | undefined>;
  const off = new Set(disabled);
  return { enabled: (id) => rules[id] !== "off" && !off.has(id) };
}
