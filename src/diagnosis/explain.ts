/**
 * A finding's answer for this thread: which of the rule's fixes apply, minus what the thread
 * already applied or a maintainer already gave, and whether there is anything left to say.
 */
import type { FixDef, IssueEvidence, Rule } from "./rule.js";
import type { Sentence } from "./text/evidence.js";
import { usesPackage } from "./text/reporter.js";
import { appliedIn, names, readState, workedWith } from "./text/state.js";
import type { Evidence, Explanation, Fix } from "./types.js";

/**
 * keep: say it. answered: a maintainer already gave the best fix (or the rule's diagnosis).
 * resolved: the thread says it works now. exhausted: every fix was already applied.
 */
export type Verdict = "keep" | "answered" | "resolved" | "exhausted";

export interface Judged {
  verdict: Verdict;
  /** The fixes to offer, best first. */
  offer: FixDef[];
  /** Fixes a maintainer's answer already gave. */
  given: FixDef[];
  /** Fixes the thread says were applied (and did not help), with the sentence that says so. */
  applied: { def: FixDef; sentence: Sentence }[];
}

/** Words of a pull request or commit describing its own change. */
const CHANGE = ["this pr", "this pull request", "this commit", "this change", "this patch"];

/** A maintainer's texts as lowercase sentences (each text already bounded). */
export function sentencesOf(texts: readonly string[]): string[] {
  const out: string[] = [];
  for (const t of texts) {
    let start = 0;
    const lower = t.toLowerCase();
    for (let i = 0; i <= lower.length; i++) {
      const c = lower[i];
      if (
        i === lower.length ||
        c === "\n" ||
        ((c === "." || c === "!" || c === "?") && lower[i + 1] === " ")
      ) {
        const s = lower.slice(start, i).trim();
        if (s.length > 0 && s.length <= 2000) out.push(s);
        start = i + 1;
      }
    }
  }
  return out;
}

const lastQuestions = new WeakMap<IssueEvidence, number>();

/** Does a sentence at or after this line still ask something? (The last question's line, found once.) */
function asksAfter(ev: IssueEvidence, line: number): boolean {
  let last = lastQuestions.get(ev);
  if (last === undefined) {
    last = 0;
    for (const s of ev.sentences) if (s.text.endsWith("?") && s.line > last) last = s.line;
    lastQuestions.set(ev, last);
  }
  return last >= line;
}

/** The rule's fixes whose conditions hold for this report, best first. */
function candidates(rule: Rule, ev: IssueEvidence): FixDef[] {
  return (rule.issue?.fixes ?? [])
    .filter((f) => !f.when || f.when(ev))
    .map((f, i) => ({ f, rank: f.lead?.(ev) ? i - 1000 : i }))
    .sort((a, b) => a.rank - b.rank)
    .map(({ f }) => f);
}

/** Never recommend the package the issue is filed against, nor one the reporter already uses. */
function recommendable(f: FixDef, ev: IssueEvidence): boolean {
  return !(f.recommends ?? []).some((pkg) => ev.repoPackage === pkg || usesPackage(ev, pkg));
}

/** What is left to say about this rule in this thread. `evidenceLine`: where the failure is shown. */
export function judge(
  rule: Rule,
  ev: IssueEvidence,
  maintainer: readonly string[],
  evidenceLine: number,
): Judged {
  const state = readState(ev);
  const all = candidates(rule, ev);
  const fixes = all.filter((f) => recommendable(f, ev));
  const given = fixes.filter((f) => f.mentioned && maintainer.some((s) => names(s, f.mentioned ?? [])));
  const applied: Judged["applied"] = [];
  for (const f of all) {
    if (!f.mentioned || f.stillNeeded?.(ev)) continue;
    const sentence = appliedIn(state, f.mentioned);
    if (sentence) applied.push({ def: f, sentence });
  }
  const worked =
    all.some((f) => {
      if (!f.mentioned || f.stillNeeded?.(ev)) return false;
      const s = workedWith(state, f.mentioned);
      return s !== null && !asksAfter(ev, s.line);
    }) ||
    // "It works now", said after the failure was shown, naming none of the fixes, and not followed
    // by a question (a report that says "without gevent it works again. Is there a way to fix this?"
    // still asks).
    state.works.some((s) => s.line > evidenceLine && !asksAfter(ev, s.line));
  const gone = new Set<FixDef>([...given, ...applied.map((a) => a.def)]);
  const offer = fixes.filter((f) => !gone.has(f));
  // The change under discussion (a pull request, a commit) already applies the best fix: it is the answer.
  const best = all[0];
  const changeDoesBest = applied.some(
    (a) => a.def === best && CHANGE.some((c) => a.sentence.text.includes(c)),
  );
  let verdict: Verdict = "keep";
  if (worked || changeDoesBest) verdict = "resolved";
  else if (fixes[0] !== undefined && given.includes(fixes[0])) verdict = "answered";
  else if (offer.length === 0) verdict = given.length > 0 ? "answered" : "exhausted";
  return { verdict, offer, given, applied };
}

function toFix(rule: Rule, f: FixDef, ev: IssueEvidence): Fix {
  return {
    id: `${rule.id}/${f.id}`,
    ...(f.title ? { title: f.title } : {}),
    text: typeof f.text === "string" ? f.text : f.text(ev),
    ...(f.code ? { code: f.code } : {}),
  };
}

export function explain(rule: Rule, ev: IssueEvidence, judged: Judged): Explanation {
  const issue = rule.issue;
  if (!issue) throw new Error(`${rule.id} has no issue side`);
  const { summary, cause } = issue.explain(ev);
  const thread: Explanation["thread"] = {
    given: judged.given.map((f) => toFix(rule, f, ev)),
    applied: judged.applied.map(({ def, sentence }) => ({
      fix: toFix(rule, def, ev),
      evidence: { kind: "text", text: sentence.raw.slice(0, 300), line: sentence.line } satisfies Evidence,
    })),
  };
  return { summary, cause, fixes: judged.offer.map((f) => toFix(rule, f, ev)), thread };
}
