/**
 * The contract of a rule module. A rule is one file in rules/ that owns everything about
 * itself: id, title, what it needs from the input (prefilter needles, calls, vocabulary),
 * detection, explanation and fixes as data, documentation, and which rules it excludes.
 * The registry (registry.ts) derives every shared table from these declarations.
 */
import type { Dependencies } from "./project/dependencies.js";
import type { ImportStep } from "./project/modules.js";
import type { FileFacts, Span } from "./python/facts.js";
import type { IssueText } from "./text/evidence.js";
import type { Groups } from "./text/state.js";
import type { CodeFinding, Confidence, Evidence, InlineText, Replacement } from "./types.js";

/** What issue rules see: the parsed text plus what code analysis found in its snippets. */
export interface IssueEvidence extends IssueText {
  snippetFacts: FileFacts[];
  snippetFindings: CodeFinding[];
  /** `owner/name` of the repository the issue is filed in, when known. */
  repo: string | null;
  /** That repository's package name (normalised), when known. */
  repoPackage: string | null;
  /** Characters of the thread that were not read (a long post's middle, older comments of a long thread). */
  unread: number;
}

export type RuleKind = "issue" | "code" | "manifest";

/** What a rule needs from the input. Everything here feeds a derived table; nothing is kept twice. */
export interface Needs {
  /**
   * Prefilter for Python sources this rule reads (code, and issue snippets): groups of literal,
   * case-sensitive needles; every group must have one needle present. Put the rarest group
   * first: it is the one the fast pass over every file looks for.
   */
  source?: readonly (readonly string[])[];
  /** Qualified call names the rule reads from `facts.calls`; `*.name` for any receiver. */
  calls?: readonly string[];
  /** Qualified base-class names the rule reads from `facts.classes` (`ssl.SSLContext`). */
  bases?: readonly string[];
  /** Extra needles that make a pull-request hunk worth reading (a patch call without its module name). */
  hunk?: readonly string[];
  /** Lowercase words of issue text: a text with none of them cannot change this rule's finding. */
  words?: readonly string[];
}

/** An issue finding as a rule reports it (the engine adds the id and the explanation). */
export interface IssueDraft {
  confidence: Confidence;
  message: InlineText;
  evidence: Evidence[];
}

export type CodeFindingDraft = Omit<CodeFinding, "rule" | "file" | "fingerprint">;

/** A project-level finding: a code finding on a manifest line. */
export type ProjectFindingDraft = CodeFindingDraft & {
  file: string;
  /**
   * Code lines the finding rests on: when the same rule reports each of them in the code, the
   * manifest finding adds nothing and is dropped.
   */
  restsOn?: { file: string; line: number }[];
};

/** A call in the project's code that a project side asked for. */
export interface ProjectCall {
  file: string;
  line: number;
  qualified: string;
  /** The call's first line, trimmed. */
  text: string;
  kwargs: string[];
  hasStarArgs: boolean;
}

/** How a project runs patched: a run config, or a module-level patch in one of its modules. */
export interface ProjectPatch {
  patcher: "gevent" | "eventlet";
  via: "gunicorn" | "celery" | "uwsgi" | "locust" | "code";
  file: string;
  line: number;
  text: string;
}

/** What project rules see: dependencies with versions, how it runs, and its manifests' text. */
export interface ProjectFacts {
  deps: Dependencies;
  patched: ProjectPatch[];
  /** Manifest texts by project path (for the line a finding quotes and edits). */
  files: ReadonlyMap<string, string>;
  /**
   * For a patch in code: the import chain from the patch to an import of one of `packages`
   * (top-level import names) in the process it patches; null when none is seen (or unknown).
   */
  importChain?: (patch: ProjectPatch, packages: ReadonlySet<string>) => ImportStep[] | null;
  /** Calls the project sides asked for, in the code the caller analysed (non-test modules). */
  calls?: readonly ProjectCall[];
  /**
   * The caller analysed all of the project's (non-test) code, so a call missing from `calls` is
   * not made anywhere (a folder scan); false or absent when it saw part of it (a pull request).
   */
  codeComplete?: boolean;
}

type FixText =
  | { text: InlineText }
  /** Text that depends on the report; `doc` is what the rule's page shows. */
  | { text: (ev: IssueEvidence) => InlineText; doc: InlineText };

/**
 * What shows that a fix works: the mechanism lab's cases that ran it (ids of lab/cases.mjs), or a
 * cited source (an upstream document, source file or maintainer's answer) where no lab case can.
 */
export type Verified = { lab: readonly string[] } | { source: string };

/** One fix as data: the engine keeps those whose condition holds, in declaration order (best first). */
export type FixDef = FixText & {
  /** Unique within the rule; the public id is `<rule>/<id>`. */
  id: string;
  /** What shows it works (a test fails for a fix without it). */
  verified: Verified;
  title?: InlineText;
  /** Example code (Python). */
  code?: string;
  /**
   * Packages the fix recommends adopting (normalised names). The fix is dropped when the issue
   * is filed against one of them or the reporter already uses it.
   */
  recommends?: readonly string[];
  /** When it holds, the fix leads (fixes that lead keep their declared order among themselves). */
  lead?: (ev: IssueEvidence) => boolean;
  /**
   * What names this fix in a thread (term groups, see text/state.ts): a reporter's sentence that
   * names it and says it was done means it is applied (not offered again); a maintainer's answer
   * that names it means it was given.
   */
  mentioned?: Groups;
  /** Offered even when mentioned (e.g. the thread applied it wrongly). */
  stillNeeded?: (ev: IssueEvidence) => boolean;
  /** When the fix applies; absent: always. */
  when?: (ev: IssueEvidence) => boolean;
  /** The condition in words, for the docs (required with `when`). */
  whenDoc?: string;
};

export interface RuleDocs {
  /** What the rule recognises: signals and confidence (Markdown). */
  what: string;
  /** Why it happens (Markdown). */
  why: string;
  /** A short example of the problem. */
  example?: { lang: "python" | "text"; code: string };
  /** How to fix it, for rules without fix data (code rules: their messages carry the fix). */
  fix?: string;
  /** What looks alike but is not matched (Markdown). */
  notMatched?: string;
  /** The canonical upstream threads and sources for the mechanism (linked from comments and the page). */
  upstream?: readonly { name: string; url: string }[];
}

export interface Rule {
  id: string;
  /** Short human title, used as heading and in the docs. */
  title: string;
  /** Reporting position: lower first (the most specific diagnosis leads). */
  order: number;
  needs: Needs;
  /** Rules whose finding is dropped when this one fires on the same input. */
  excludes?: readonly string[];
  issue?: {
    detect(ev: IssueEvidence): IssueDraft | null;
    /** Summary and cause paragraphs for this report. */
    explain(ev: IssueEvidence): { summary: InlineText; cause: InlineText[] };
    fixes: readonly FixDef[];
    /**
     * A maintainer's comment that has a word of every group (lowercase, at a word start) already
     * gave this diagnosis: the finding is not posted.
     */
    answered?: readonly (readonly string[])[];
  };
  code?: {
    detect(facts: FileFacts): CodeFindingDraft[];
    /**
     * Qualified calls that settle this side's findings when a run gave the patch and the project
     * makes them elsewhere (`CodeFinding.settledBy`); a project scan collects them.
     */
    settledBy?: readonly string[];
  };
  /** Risks a project's dependencies predict, reported on the manifest line (`file` set). */
  project?: {
    detect(p: ProjectFacts): ProjectFindingDraft[];
    /** Qualified calls of the project's code this side reads (`ProjectFacts.calls`). */
    calls?: readonly string[];
    /**
     * Packages (normalised names) whose arrival makes those calls worth looking for beyond the
     * code at hand (a pull request that adds one searches the repository for the calls).
     */
    callsMatterWith?: readonly string[];
  };
  docs: RuleDocs;
}

/** Identity, for type checking a rule module's default export. */
export function defineRule(rule: Rule): Rule {
  return rule;
}

export function kindsOf(rule: Rule): RuleKind[] {
  const k: RuleKind[] = [];
  if (rule.issue) k.push("issue");
  if (rule.code) k.push("code");
  if (rule.project) k.push("manifest");
  return k;
}

/** Evidence line for a code fact. */
export function codeEvidence(facts: FileFacts, line: number): Evidence {
  return { kind: "code", text: (facts.lines[line - 1] ?? "").trim(), line };
}

/**
 * A code finding anchored at `at`, resting on `lines` (anchor first). High confidence unless
 * said otherwise; the evidence quotes each line.
 */
export function codeDraft(
  facts: FileFacts,
  at: Span,
  message: InlineText,
  lines: number[],
  extra: { fix?: Replacement; confidence?: Confidence; endLine?: number } = {},
): CodeFindingDraft {
  return {
    confidence: extra.confidence ?? "high",
    message,
    line: at.line,
    column: at.column,
    endLine: extra.endLine ?? at.endLine,
    endColumn: at.endColumn,
    evidenceLines: lines,
    evidence: lines.map((l) => codeEvidence(facts, l)),
    ...(extra.fix ? { fix: extra.fix } : {}),
  };
}

/**
 * A per-report memo for a derived fact: rules ask the same questions of one report many times
 * (in detect, explain and fix conditions); each is answered once.
 */
export function perReport<T>(fn: (ev: IssueEvidence) => T): (ev: IssueEvidence) => T {
  const memo = new WeakMap<IssueEvidence, { v: T }>();
  return (ev) => {
    const hit = memo.get(ev);
    if (hit) return hit.v;
    const v = fn(ev);
    memo.set(ev, { v });
    return v;
  };
}
