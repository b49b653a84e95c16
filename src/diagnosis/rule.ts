/** The contract every rule module implements. A rule is one file in rules/ plus its doc page. */
import type { FileFacts } from "./python/facts.js";
import type { IssueText } from "./text/evidence.js";
import type { CodeFinding, IssueFinding } from "./types.js";

/** What issue rules see: the parsed text plus what code analysis found in its snippets. */
export interface IssueEvidence extends IssueText {
  snippetFacts: FileFacts[];
  snippetFindings: CodeFinding[];
}

/** A rendered explanation: our words, with any user text already escaped by the rule. */
export interface Explanation {
  /** One line. */
  summary: string;
  /** A few short paragraphs tailored to the platform, versions and chain found. */
  cause: string[];
  /** Numbered fixes, best first (Markdown, may contain code blocks). */
  fixes: string[];
}

export type CodeFindingDraft = Omit<CodeFinding, "rule" | "file" | "fingerprint">;

export interface Rule {
  id: string;
  /** Short human title, used as heading and in the docs. */
  title: string;
  issue?: {
    detect(ev: IssueEvidence): IssueFinding | null;
    explain(finding: IssueFinding, ev: IssueEvidence): Explanation;
  };
  code?: {
    detect(facts: FileFacts): CodeFindingDraft[];
  };
}
