/** Evidence helpers shared by issue rules. */
import { type IssueEvidence, perReport } from "../../rule.js";
import type { Frame } from "../../text/traceback.js";
import type { Evidence } from "../../types.js";

/** Does any snippet in the issue produce a finding of this rule? The code lines it rests on. */
export function snippetFinding(ev: IssueEvidence, rule: string): Evidence[] | null {
  const f = ev.snippetFindings.find((x) => x.rule === rule);
  return f ? f.evidence.map((e) => ({ ...e, kind: "code" as const })) : null;
}

/** A traceback frame quoted as Python prints it. */
export function frameEvidence(f: Frame): Evidence {
  return {
    kind: "frame",
    text: `File "${f.path}", line ${f.line ?? "?"}${f.func ? `, in ${f.func}` : ""}`,
    line: f.textLine,
  };
}

const ERROR_NAME = /[A-Za-z](Error|Exception|Exit)[:(]/;

/** The thread shows an error (an exception in a traceback, or an `XxxError:` line). */
export const errorShown = perReport((ev: IssueEvidence): boolean => {
  return (
    ev.tracebacks.some((tb) => tb.exception !== null) ||
    ev.lines.some((l) => l.length < 2000 && ERROR_NAME.test(l))
  );
});
