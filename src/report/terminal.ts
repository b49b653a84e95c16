/** Plain text for a terminal: issue findings and scan findings. */
import type { CodeFinding, IssueFinding } from "../diagnosis/types.js";
import { plain } from "./markdown.js";

export function renderIssueText(findings: IssueFinding[]): string {
  const out: string[] = [];
  for (const f of findings) {
    out.push(`${f.rule} (${f.confidence}): ${f.message}`);
    for (const e of f.evidence)
      out.push(`  evidence${e.line !== undefined ? ` (line ${e.line})` : ""}: ${e.text.slice(0, 200)}`);
    out.push(`  ${plain(f.explanation.summary)}`);
  }
  return out.join("\n");
}

export function renderScanText(findings: CodeFinding[], files: number, parsed: number): string {
  const out = findings.map(
    (f) => `${f.file}:${f.line}:${f.column}: ${f.rule} (${f.confidence}) ${plain(f.message)}`,
  );
  out.push(`${findings.length} finding(s) in ${files} file(s), ${parsed} parsed`);
  return out.join("\n");
}
