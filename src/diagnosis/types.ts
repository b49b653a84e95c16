/** Shared types of the diagnosis core. Nothing here does I/O. */

export type Confidence = "high" | "medium";

export type Platform = "macos" | "linux" | "windows" | "freebsd" | "android" | "unknown";

/** One piece of evidence a finding rests on, quoted from the input. */
export interface Evidence {
  kind: "exception" | "frame" | "warning" | "text" | "code" | "version" | "chain";
  /** The quoted text (user text: render escaped). */
  text: string;
  /** 1-based line in the input text or source file, when known. */
  line?: number;
}

export interface IssueFinding {
  rule: string;
  confidence: Confidence;
  /** One-line message (our words, no user text). */
  message: string;
  evidence: Evidence[];
}

export interface Replacement {
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
  /** New text for the whole lines startLine..endLine (no trailing newline). */
  text: string;
}

export interface CodeFinding {
  rule: string;
  confidence: Confidence;
  message: string;
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
}
