/**
 * What `scan` prints, in each format: text (the default), JSON (the contract the README states),
 * SARIF, GitHub workflow commands, and `--statistics` (a count per rule). `--output-file` writes
 * one format to a file while the terminal gets the text.
 */
import { writeFileSync } from "node:fs";
import type { UnusedIgnore } from "../diagnosis/suppressions.js";
import type { CodeFinding } from "../diagnosis/types.js";
import { toSarif } from "../report/sarif.js";
import { count, type Paint, renderScanText, renderWorkflowCommands } from "../report/terminal.js";
import { VERSION } from "../version.js";
import { UsageError } from "./args.js";

export interface Shown {
  findings: CodeFinding[];
  /** `unused-ignore` pseudo-findings (`--report-unused-ignores`). */
  unused: CodeFinding[];
  files: number;
  parsed: number;
}

export interface ShownMeta {
  includeTests: boolean;
  testFiles: number;
  reportUnused: boolean;
  unusedIgnores: (UnusedIgnore & { path: string })[];
  skipped: { path: string; reason: string }[];
}

export const noPaint: Paint = (_style, text) => text;

/** The report in `format`, ending with a newline (empty when there is nothing to print). */
export function render(format: string, s: Shown, meta: ShownMeta, paint: Paint, quiet = false): string {
  if (format === "json") {
    const out = {
      ...(meta.includeTests ? {} : { test_files_not_analysed: meta.testFiles }),
      ...(meta.reportUnused
        ? {
            unused_ignores: meta.unusedIgnores.map((u) => ({
              file: u.path,
              line: u.line,
              rule: u.rule,
              reason: u.reason,
            })),
          }
        : {}),
      findings: s.findings.map((f) => ({
        rule: f.rule,
        confidence: f.confidence,
        message: f.message,
        file: f.file,
        line: f.line,
        column: f.column,
        fingerprint: f.fingerprint,
        ...(f.fix ? { fix: f.fix } : {}),
      })),
    };
    return `${JSON.stringify(out, null, 2)}\n`;
  }
  if (format === "sarif")
    return `${JSON.stringify(toSarif([...s.findings, ...s.unused], VERSION, { skipped: meta.skipped }), null, 2)}\n`;
  if (format === "github") {
    const all = [...s.findings, ...s.unused];
    return all.length > 0 ? `${renderWorkflowCommands(all)}\n` : "";
  }
  const lines: string[] = [];
  for (const u of s.unused)
    lines.push(`${paint("cyan", `${u.file}:${u.line}:${u.column}`)}: ${paint("bold", u.rule)} ${u.message}`);
  const text = renderScanText(s.findings, s.files, s.parsed, paint);
  // --quiet: the findings alone, without the summary line.
  const body = quiet ? text.split("\n").slice(0, -1) : text.split("\n");
  for (const l of body) lines.push(l);
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}

/** `--statistics`: how many findings each rule has, and how many of them carry an exact fix. */
export function renderStatistics(findings: readonly CodeFinding[]): string {
  const by = new Map<string, { n: number; fixable: number }>();
  for (const f of findings) {
    const e = by.get(f.rule) ?? { n: 0, fixable: 0 };
    e.n++;
    if (f.fix) e.fixable++;
    by.set(f.rule, e);
  }
  const rows = [...by].sort((a, b) => b[1].n - a[1].n || (a[0] < b[0] ? -1 : 1));
  const width = rows.reduce((w, [, e]) => Math.max(w, String(e.n).length), 1);
  const lines = rows.map(
    ([rule, e]) =>
      `${String(e.n).padStart(width)}  ${rule}${e.fixable > 0 ? `  (${e.fixable} with an exact fix: --fix)` : ""}`,
  );
  lines.push(findings.length === 0 ? "no findings" : `${count(findings.length, "finding")} in all`);
  return `${lines.join("\n")}\n`;
}

/** `--output-file`: a write that fails is a usage error (exit 2), not a lost report. */
export function writeOutput(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (e) {
    throw new UsageError(
      `cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}
