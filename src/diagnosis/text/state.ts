/**
 * What a thread already says about its own problem: what its people tried or applied ("I set
 * EVENTLET_NO_GREENDNS=yes", "patch_all() is the first line", "this PR adds psycogreen"), and
 * whether they say it works now. Read from prose sentences (not code or quoted text), linear.
 */
import type { IssueText, Sentence } from "./evidence.js";
import { hasWordPrefix } from "./lines.js";

/** Term groups: a sentence matches when every group has a term at a word start. */
export type Groups = readonly (readonly string[])[];

export interface ThreadState {
  /** Sentences saying someone did, uses or tried something (not questions, not plans). */
  tried: Sentence[];
  /** Sentences saying the problem is gone now. */
  works: Sentence[];
}

/** Someone did something: first person, a PR's own words, or a standing fact about their code. */
const DID = [
  "i tried",
  "i've tried",
  "i have tried",
  "we tried",
  "we've tried",
  "tried ",
  "trying ",
  "already",
  "i set",
  "i've set",
  "we set",
  "setting ",
  "i added",
  "i've added",
  "we added",
  "adding ",
  "this pr",
  "this change",
  "this commit",
  "i use",
  "i'm using",
  "i am using",
  "we use",
  "we're using",
  "we are using",
  "i'm calling",
  "i call",
  "we call",
  "i installed",
  "i uninstalled",
  "i removed",
  "we removed",
  "removing ",
  "i pinned",
  "pinning ",
  "i downgraded",
  "downgrading ",
  "i upgraded",
  "upgrading ",
  "i moved",
  "we moved",
  "moving ",
  "switched to",
  "try with",
  "tried with",
  "i run",
  "we run",
  "i put",
  "i patched",
  "is the first line",
  "is the very first",
  "is the first thing",
  "at the very top",
  "my code",
  "our code",
];

/** Not done: a plan, a question, a refusal. */
const NOT_DONE = [
  "haven't tried",
  "have not tried",
  "didn't try",
  "did not try",
  "not tried",
  "not yet",
  "instead of",
  "without ",
  "should i",
  "should we",
  "can i",
  "could i",
  "would it",
  "will try",
  "i'll try",
  "going to",
  "suggest",
  "recommend",
];

const WORKS = [
  "works now",
  "working now",
  "works again",
  "works fine now",
  "works for me",
  "it's working",
  "it is working",
  "fixed it",
  "fixes it",
  "fixed the issue",
  "fixed the problem",
  "fixed my issue",
  "fixed my problem",
  "solved it",
  "solves it",
  "solved the",
  "solved my",
  "problem solved",
  "issue solved",
  "resolved it",
  "resolves it",
  "resolved the",
  "did the trick",
  "does the trick",
  "went away",
  "that helped",
  "this helped",
  "no longer happens",
  "no longer fails",
  "no longer crashes",
];

/** A works-now claim with a "but", a negation or a question is not one. */
const NOT_WORKS = ["not ", "n't", "still", " but ", "?", "however", "partially"];

const has = (s: string, terms: readonly string[]) => terms.some((t) => s.includes(t));

/** A quoted line or a message a program printed (`...Warning: ...`): nobody's account of what they did. */
function printed(line: string): boolean {
  const l = line.trimStart();
  return (
    (l.startsWith(">") && !l.startsWith(">>>")) ||
    l.includes("Warning: ") ||
    l.includes("Error: ") ||
    l.includes("Exception: ")
  );
}

const memo = new WeakMap<IssueText, ThreadState>();

/** The thread's state (memoised per text). Sentences longer than 600 characters are not claims. */
export function readState(t: IssueText): ThreadState {
  const known = memo.get(t);
  if (known) return known;
  const tried: Sentence[] = [];
  const works: Sentence[] = [];
  for (const s of t.sentences) {
    const x = s.text;
    if (x.length > 600 || printed(t.lines[s.line - 1] ?? "")) continue;
    if (has(x, WORKS) && !has(x, NOT_WORKS)) works.push(s);
    if (has(x, DID) && !has(x, NOT_DONE) && !x.endsWith("?")) tried.push(s);
  }
  const state = { tried, works };
  memo.set(t, state);
  return state;
}

/** Does the sentence name every group (terms lowercase, at a word start)? */
export function names(sentence: string, groups: Groups): boolean {
  return groups.length > 0 && groups.every((g) => g.some((term) => hasWordPrefix(sentence, term)));
}

/** The first sentence in which someone says they applied what the groups name (tried, or working). */
export function appliedIn(state: ThreadState, groups: Groups): Sentence | null {
  return (
    state.tried.find((s) => names(s.text, groups)) ?? state.works.find((s) => names(s.text, groups)) ?? null
  );
}

/** The first sentence saying that what the groups name made it work. */
export function workedWith(state: ThreadState, groups: Groups): Sentence | null {
  return state.works.find((s) => names(s.text, groups)) ?? null;
}
