/**
 * What a pull request introduced: the policy behind "report only what this PR adds". Pure.
 * A head finding is introduced when a line it rests on was added by the PR, or when the base
 * version of the file does not have it (same fingerprint).
 */
import type { CodeFinding } from "../diagnosis/types.js";

export interface FileDiagnosis {
  /** Findings in the head version of the file. */
  head: CodeFinding[];
  /** Fingerprints of the findings in the base version (empty for a new file). */
  base: ReadonlySet<string>;
  /** Lines the PR added to the head version. */
  added: ReadonlySet<number>;
}

export type ReportMode = "added" | "changed-files";

export function introduced(file: FileDiagnosis, mode: ReportMode): CodeFinding[] {
  if (mode === "changed-files") return file.head;
  return file.head.filter(
    (f) => f.evidenceLines.some((l) => file.added.has(l)) || !file.base.has(f.fingerprint),
  );
}
