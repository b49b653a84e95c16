/** The check run's output: title, summary table, notes, skipped files, and one annotation per finding. */
import { ruleTitle } from "../diagnosis/catalog.js";
import type { CodeFinding } from "../diagnosis/types.js";
import { code } from "./markdown.js";

/** GitHub caps a check run's output text at 65,535 characters. */
const MAX_TEXT = 65_000;

export interface Skip {
  path: string;
  reason: string;
}

export interface CheckOutput {
  title: string;
  summary: string;
  text: string;
}

export interface FindingAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "notice" | "warning" | "failure";
  message: string;
  title: string;
}

export function findingAnnotation(f: CodeFinding): FindingAnnotation {
  return {
    path: f.file,
    start_line: f.line,
    end_line: f.line,
    annotation_level: f.confidence === "high" ? "warning" : "notice",
    message: f.message,
    title: `${f.rule}: ${ruleTitle(f.rule)}`,
  };
}

export function checkOutput(findings: CodeFinding[], skipped: Skip[], notes: string[]): CheckOutput {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(f.rule, (counts.get(f.rule) ?? 0) + 1);
  const title =
    findings.length === 0
      ? "No concurrency-library problems found"
      : `${findings.length} concurrency-library problem${findings.length === 1 ? "" : "s"}`;
  const lines: string[] = [];
  if (counts.size > 0) {
    lines.push("| rule | findings |", "|---|---|");
    for (const [rule, n] of [...counts].sort()) lines.push(`| \`${rule}\` | ${n} |`);
  }
  const summary =
    lines.length > 0 ? lines.join("\n") : "The changed Python files were analysed; nothing to report.";
  const text: string[] = [...notes];
  if (skipped.length > 0) {
    text.push(`**Skipped files (${skipped.length})**`, "");
    for (const s of skipped.slice(0, 500)) text.push(`- ${code(s.path, 300)}: ${s.reason}`);
    if (skipped.length > 500) text.push(`- … and ${skipped.length - 500} more`);
  }
  let t = text.join("\n");
  if (t.length > MAX_TEXT) t = `${t.slice(0, MAX_TEXT - 40)}\n… (shortened)`;
  return { title, summary, text: t };
}
