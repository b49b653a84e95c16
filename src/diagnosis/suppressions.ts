/**
 * `# async-doctor: ignore[rule]` (one line) and `# async-doctor: ignore-file[rule]` (the whole
 * file): which findings they silence, and which of them silence nothing (reported on request,
 * so that stale comments do not hide a rule's next finding).
 */
import type { FileFacts } from "./python/facts.js";
import { neutralizeComments } from "./python/neutralize.js";
import { parseSuppression } from "./python/syntax.js";

export interface UnusedIgnore {
  line: number;
  /** The rule id as written, or "*" for a bare `ignore` / `ignore-file`. */
  rule: string;
  file: boolean;
  reason: "unused" | "unknown rule";
}

export class Suppressions {
  private readonly used = new Set<string>();

  constructor(
    private readonly facts: Pick<FileFacts, "suppressions" | "fileSuppressions">,
    private readonly known: (id: string) => boolean,
  ) {}

  /** Whether a finding of `rule` on `line` is silenced (and the comment that did it is used). */
  silences(rule: string, line: number): boolean {
    const here = this.facts.suppressions.get(line);
    for (const id of [rule, "*"])
      if (here?.has(id)) {
        this.used.add(`${line}:${id}`);
        return true;
      }
    for (const [at, ids] of this.facts.fileSuppressions)
      for (const id of [rule, "*"])
        if (ids.has(id)) {
          this.used.add(`${at}:${id}`);
          return true;
        }
    return false;
  }

  /** The comments (and rule ids in them) that silenced nothing. */
  unused(): UnusedIgnore[] {
    const out: UnusedIgnore[] = [];
    const each = (map: Map<number, Set<string>>, file: boolean) => {
      for (const [line, ids] of map)
        for (const rule of ids) {
          if (rule !== "*" && !this.known(rule)) out.push({ line, rule, file, reason: "unknown rule" });
          else if (!this.used.has(`${line}:${rule}`)) out.push({ line, rule, file, reason: "unused" });
        }
    };
    each(this.facts.suppressions, false);
    each(this.facts.fileSuppressions, true);
    return out.sort((a, b) => a.line - b.line || a.rule.localeCompare(b.rule));
  }
}

/** A file that was not parsed (nothing in it could match): each of its comments silences nothing. */
export function unusedInUnparsed(source: string, known: (id: string) => boolean): UnusedIgnore[] {
  if (!source.includes("async-doctor:")) return [];
  const facts = {
    suppressions: new Map<number, Set<string>>(),
    fileSuppressions: new Map<number, Set<string>>(),
  };
  for (const m of neutralizeComments(source).marked) {
    const s = parseSuppression(m.text);
    if (s) (s.file ? facts.fileSuppressions : facts.suppressions).set(m.line, s.rules);
  }
  return new Suppressions(facts, known).unused();
}
