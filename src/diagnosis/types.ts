/** Shared types of the diagnosis core. Nothing here does I/O. */

export type Confidence = "high" | "medium";

export type Platform = "macos" | "linux" | "windows" | "freebsd" | "android" | "unknown";

/** One piece of evidence a finding rests on, quoted from the input. */
export interface Evidence {
  kind: "exception" | "frame" | "warning" | "text" | "code" | "version" | "chain";
  /** The quoted text (user text: the report layer renders it inert). */
  text: string;
  /** 1-based line in the input text or source file, when known. */
  line?: number;
}

/**
 * Text the core writes for people is "inline text": prose in which `backticks` mark code.
 * Values taken from the input are inserted only through `literal()` (inline.ts), which makes
 * an inert code span. The report layer turns inline text into Markdown, plain text or SARIF.
 */
export type InlineText = string;

/** One fix, selected for this report by the rule's fix conditions. */
export interface Fix {
  /** Stable id (`<rule>/<fix>`), e.g. `trio-unsupported-platform/upgrade-httpcore`. */
  id: string;
  /** Short lead, shown in bold. */
  title?: InlineText;
  text: InlineText;
  /** Example code (Python), shown as a code block. */
  code?: string;
}

/** The structured explanation of an issue finding. */
export interface Explanation {
  /** One line. */
  summary: InlineText;
  /** A few short paragraphs tailored to the platform, versions and chain found. */
  cause: InlineText[];
  /** What in the thread the answer rests on, as a clause (e.g. the import chain read). */
  shown?: InlineText;
  /** Fixes that apply to this report, best first (minus what the thread applied or was given). */
  fixes: Fix[];
  /** What the thread already has: fixes a maintainer gave, fixes someone applied (and where they say so). */
  thread?: { given: Fix[]; applied: { fix: Fix; evidence: Evidence }[] };
}

export interface IssueFinding {
  rule: string;
  confidence: Confidence;
  /** One-line message (inline text). */
  message: InlineText;
  evidence: Evidence[];
  explanation: Explanation;
}

export interface Replacement {
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
  /** New text for the whole lines startLine..endLine (no trailing newline). */
  text: string;
  /**
   * A lock file that still holds the old version after this edit raises a pin (`pdm.lock`):
   * the finding stands until the project re-locks.
   */
  relock?: string;
}

export interface CodeFinding {
  rule: string;
  confidence: Confidence;
  message: InlineText;
  file: string;
  /** 1-based anchor. */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** Every source line the finding rests on (anchor included). */
  evidenceLines: number[];
  evidence: Evidence[];
  fix?: Replacement;
  /** Stable across pushes: rule + path + normalised text of the anchor line. */
  fingerprint: string;
  /** For a finding on a manifest line: the code lines it rests on (see `withoutCovered`). */
  restsOn?: { file: string; line: number }[];
  /**
   * For a code finding that a run (a worker config, another module's patch) gave: qualified calls
   * that, made anywhere in the same project's own code (a `post_fork` hook, the patching entry
   * module), apply the fix there and settle it (see `withoutSettled`).
   */
  settledBy?: readonly string[];
}
