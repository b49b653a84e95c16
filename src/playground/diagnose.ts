/**
 * What the App would say, computed in the page: the issue comment and labels for an issue text,
 * the review comments and check summary for a Python file (with optional manifests). The same
 * engine, configuration policy and renderers as the App; the configuration is the caller's (the
 * page is given the App's defaults at build time, without the schema's validator).
 */
import { atLeast, issueLabels } from "../config/issue-policy.js";
import { ruleFilter } from "../config/rule-filter.js";
import type { Config } from "../config/schema.js";
import { ruleInfo } from "../diagnosis/catalog.js";
import type { Engine } from "../diagnosis/engine.js";
import { fileContext, readProject } from "../diagnosis/project/project.js";
import { manifestFindings } from "../diagnosis/project/side.js";
import { threadText } from "../diagnosis/text/thread.js";
import type { CodeFinding, IssueFinding } from "../diagnosis/types.js";
import { type CheckOutput, checkOutput } from "../report/check.js";
import { renderIssueComment } from "../report/issue-comment.js";
import { renderReviewComment } from "../report/review.js";

export interface IssueInput {
  title: string;
  body: string;
  /** `owner/name`: posts by its owner are not evidence, its own package is never recommended. */
  repo?: string;
}

export interface IssueOutcome {
  findings: IssueFinding[];
  /** The comment the App would post (Markdown), or null when it would not comment. */
  comment: string | null;
  labels: string[];
  /** Lines of the body that are evidence (1-based, in the body as pasted). */
  evidenceLines: number[];
  /** The fixes the comment offers, each with what shows it works (the lab, or a cited source). */
  fixes: { id: string; verified: string }[];
}

/** The title becomes `# title` and a blank line before the body (threadText). */
const BODY_OFFSET = 2;

/** Where a line of the thread text is in the input: the title, or a 1-based line of the body. */
export function inputLine(threadLine: number): number | "title" {
  return threadLine > BODY_OFFSET ? threadLine - BODY_OFFSET : "title";
}

export function diagnoseIssue(engine: Engine, config: Config, input: IssueInput): IssueOutcome {
  const repo = input.repo && /^[\w.-]+\/[\w.-]+$/.test(input.repo) ? input.repo : null;
  const result = engine.triage(threadText(input.title, input.body, []), ruleFilter(config), { repo });
  const findings = atLeast(result.findings, config.issues.min_confidence);
  const lines = new Set<number>();
  for (const f of findings)
    for (const e of f.evidence)
      if (e.line !== undefined && inputLine(e.line) !== "title") lines.add(inputLine(e.line) as number);
  return {
    findings,
    comment: findings.length > 0 ? renderIssueComment(findings, result.evidence) : null,
    labels: issueLabels(config, result.findings),
    evidenceLines: [...lines].sort((a, b) => a - b),
    fixes: findings.flatMap((f) =>
      f.explanation.fixes.map((x) => ({
        id: x.id,
        verified: ruleInfo(f.rule)?.fixes.find((i) => i.id === x.id)?.verified ?? "",
      })),
    ),
  };
}

export interface CodeInput {
  path: string;
  source: string;
  /** Manifest texts by file name (`requirements.txt`, `pyproject.toml`); empty ones are left out. */
  manifests: Record<string, string>;
}

export interface ReviewComment {
  file: string;
  line: number;
  body: string;
  finding: CodeFinding;
}

export interface CodeOutcome {
  comments: ReviewComment[];
  check: CheckOutput;
}

export function diagnoseCode(engine: Engine, config: Config, input: CodeInput): CodeOutcome {
  const filter = ruleFilter(config);
  const files = new Map(Object.entries(input.manifests).filter(([, text]) => text.trim() !== ""));
  const project = files.size > 0 ? readProject(files) : null;
  const path = input.path.trim() || "app.py";
  const r = engine.scanSource(path, input.source, filter, project ? fileContext(project, path) : undefined);
  const onManifests = project
    ? manifestFindings(project, files, { patches: r.patches, calls: r.calls }, filter)
    : [];
  const findings = [...r.findings, ...onManifests];
  const suggestion = config.pull_requests.suggestions;
  return {
    comments: findings.map((f) => ({
      file: f.file,
      line: f.line,
      body: renderReviewComment(f, { suggestion }),
      finding: f,
    })),
    check: checkOutput(findings, [], []),
  };
}
