/**
 * The `async-doctor` check run: created in_progress when work starts, completed with a summary and
 * annotations (GitHub takes at most 50 per request, so later batches are appended by updates).
 */
import type { ProbotOctokit } from "probot";
import { ruleById } from "../diagnosis/rules/index.js";
import type { CodeFinding } from "../diagnosis/types.js";
import type { Config } from "./config.js";
import type { Skip } from "./pr-files.js";

export const CHECK_NAME = "async-doctor";
export const ANNOTATIONS_PER_REQUEST = 50;
const MAX_TEXT = 65_000;

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: "notice" | "warning" | "failure";
  message: string;
  title: string;
}

export function findingAnnotation(f: CodeFinding): Annotation {
  const a: Annotation = {
    path: f.file,
    start_line: f.line,
    end_line: f.line,
    annotation_level: f.confidence === "high" ? "warning" : "notice",
    message: f.message,
    title: `${f.rule}: ${ruleById(f.rule)?.title ?? ""}`,
  };
  return a;
}

export type Conclusion = "success" | "neutral" | "failure";

export function conclusionFor(
  findings: CodeFinding[],
  failOn: Config["pull_requests"]["fail_on"],
  configInvalid: boolean,
): Conclusion {
  if (configInvalid) return "failure";
  if (findings.length === 0) return "success";
  if (failOn === "any") return "failure";
  if (failOn === "high" && findings.some((f) => f.confidence === "high")) return "failure";
  return "neutral";
}

export function summaryText(
  findings: CodeFinding[],
  skipped: Skip[],
  notes: string[],
): { title: string; summary: string; text: string } {
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
    text.push(
      `**Skipped files (${skipped.length})**`,
      "",
      ...skipped.slice(0, 500).map((s) => `- \`${s.path.replace(/`/g, "'")}\`: ${s.reason}`),
    );
    if (skipped.length > 500) text.push(`- … and ${skipped.length - 500} more`);
  }
  let t = text.join("\n");
  if (t.length > MAX_TEXT) t = `${t.slice(0, MAX_TEXT - 40)}\n… (shortened)`;
  return { title, summary, text: t };
}

/** Wraps check-run calls; a 403 switches checks off for this run and says which permission is missing. */
export class CheckRun {
  private id: number | null = null;
  forbidden = false;

  constructor(
    private readonly octokit: ProbotOctokit,
    private readonly repo: { owner: string; repo: string },
    private readonly headSha: string,
    private readonly log: { warn: (o: object, m: string) => void },
  ) {}

  private denied(e: unknown): boolean {
    if ((e as { status?: number }).status !== 403) return false;
    this.forbidden = true;
    this.log.warn(
      { permission: "checks: write" },
      "missing permission `checks: write`: continuing without a check run (review comments only)",
    );
    return true;
  }

  async start(): Promise<void> {
    try {
      const r = await this.octokit.rest.checks.create({
        ...this.repo,
        name: CHECK_NAME,
        head_sha: this.headSha,
        status: "in_progress",
      });
      this.id = r.data.id;
    } catch (e) {
      if (!this.denied(e)) throw e;
    }
  }

  async complete(
    conclusion: Conclusion,
    output: { title: string; summary: string; text: string },
    annotations: Annotation[],
  ): Promise<number> {
    if (this.id === null || this.forbidden) return 0;
    let requests = 0;
    try {
      const batches: Annotation[][] = [];
      for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_REQUEST)
        batches.push(annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
      // Append all but the last batch while in progress; the last one goes with the conclusion.
      for (const batch of batches.slice(0, -1)) {
        await this.octokit.rest.checks.update({
          ...this.repo,
          check_run_id: this.id,
          output: { ...output, annotations: batch },
        });
        requests++;
      }
      await this.octokit.rest.checks.update({
        ...this.repo,
        check_run_id: this.id,
        status: "completed",
        conclusion,
        output: { ...output, annotations: batches[batches.length - 1] ?? [] },
      });
      requests++;
    } catch (e) {
      if (!this.denied(e)) throw e;
    }
    return requests;
  }
}
