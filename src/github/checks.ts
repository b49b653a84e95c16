/**
 * The `async-doctor` check run: created in_progress when work starts, completed with a summary and
 * annotations (GitHub takes at most 50 per request, so later batches are appended by updates).
 */
import type { ProbotOctokit } from "probot";
import type { Config } from "../config/schema.js";
import type { CodeFinding } from "../diagnosis/types.js";
import type { CheckOutput, FindingAnnotation } from "../report/check.js";

export const CHECK_NAME = "async-doctor";
export const ANNOTATIONS_PER_REQUEST = 50;

/** A check-run annotation (findings' come from report/check.ts; config errors are annotated too). */
export type Annotation = FindingAnnotation;

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

  /** Has the check run been created (or found)? */
  get started(): boolean {
    return this.id !== null;
  }

  /**
   * Create the check run, in progress. With `ownedBy` (a retry, or a job taken over after a
   * crash), first look for the one an earlier try created at this head, so there is one per head.
   */
  async start(ownedBy?: string): Promise<void> {
    try {
      if (ownedBy !== undefined) {
        const { data } = await this.octokit.rest.checks.listForRef({
          ...this.repo,
          ref: this.headSha,
          check_name: CHECK_NAME,
          filter: "all",
          per_page: 100,
        });
        const mine = data.check_runs.find(
          (c) => c.app?.slug !== undefined && `${c.app.slug}[bot]` === ownedBy,
        );
        if (mine) {
          this.id = mine.id;
          return;
        }
      }
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

  async complete(conclusion: Conclusion, output: CheckOutput, annotations: Annotation[]): Promise<number> {
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
