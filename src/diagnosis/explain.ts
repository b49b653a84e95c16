/**
 * A finding's answer for this thread: which of the rule's fixes apply, minus what the thread
 * already applied or a maintainer already gave, and whether there is anything left to say.
 */
import type { FixDef, IssueEvidence, Rule } from "./rule.js";
import { type Sentence, splitSentences } from "./text/evidence.js";
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

/** A linked change that takes something back does not apply it. */
const UNDO = ["revert", "undo", "roll back", "rollback", "back out"];

/** What the project said in the thread, lowercase: maintainers' texts and linked changes. */
export interface Said {
  /** Maintainers' texts, each whole. */
  texts: string[];
  /** The same texts as sentences. */
  maintainer: string[];
  /** Linked pull requests' titles and descriptions, as sentences. */
  changes: string[];
}

/** Texts already bounded by the caller. */
export function saidIn(maintainerTexts: readonly string[], changeTexts: readonly string[] = []): Said {
  return {
    texts: maintainerTexts.map((t) => t.toLowerCase()),
    maintainer: sentencesOf(maintainerTexts),
    changes: sentencesOf(changeTexts),
  };
}

function answeredByMaintainer(rule: Rule, said: Said): boolean {
  const groups = rule.issue?.answered;
  return !!groups && said.texts.some((t) => names(t, groups));
}

/** Texts as lowercase sentences, line by line (each text already bounded). */
function sentencesOf(texts: readonly string[]): string[] {
  const out: Sentence[] = [];
  for (const t of texts) for (const line of t.split("\n")) splitSentences(line, 0, out);
  return out.filter((s) => s.text.length <= 2000).map((s) => s.text);
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
export function judge(rule: Rule, ev: IssueEvidence, said: Said, evidenceLine: number): Judged {
  const state = readState(ev);
  const all = candidates(rule, ev);
  const fixes = all.filter((f) => recommendable(f, ev));
  const given = fixes.filter((f) => f.mentioned && said.maintainer.some((s) => names(s, f.mentioned ?? [])));
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
  // Fixes a linked pull request makes (its title or description names them).
  const linked = all.filter(
    (f) =>
      f.mentioned &&
      !f.stillNeeded?.(ev) &&
      said.changes.some((s) => names(s, f.mentioned ?? []) && !UNDO.some((u) => s.includes(u))),
  );
  const gone = new Set<FixDef>([...given, ...applied.map((a) => a.def), ...linked]);
  const offer = fixes.filter((f) => !gone.has(f));
  // The change under discussion (a pull request, a commit), or one linked to the thread, already
  // applies the best fix: it is the answer.
  const best = all[0];
  const changeDoesBest =
    (best !== undefined && linked.includes(best)) ||
    applied.some((a) => a.def === best && CHANGE.some((c) => a.sentence.text.includes(c)));
  let verdict: Verdict = "keep";
  if (worked || changeDoesBest) verdict = "resolved";
  else if (fixes[0] !== undefined && given.includes(fixes[0])) verdict = "answered";
  else if (offer.length === 0) verdict = given.length > 0 ? "answered" : "exhausted";
  // The rule's own diagnosis, in a maintainer's words, with none of its fixes: said already.
  else if (given.length === 0 && answeredByMaintainer(rule, said)) verdict = "answered";
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
