/**
 * Markdown rendering of findings: the issue comment the App posts, review-comment bodies for
 * code findings, and a plain-text form for the terminal. User text only ever appears inside
 * code spans or fenced blocks built by md.ts.
 */
import { platformName } from "./knowledge.js";
import { code, codeBlock, fenceFor } from "./md.js";
import type { Explanation, IssueEvidence } from "./rule.js";
import { ruleById } from "./rules/index.js";
import type { CodeFinding, Evidence, IssueFinding } from "./types.js";

export const DEFAULT_DOCS_BASE = "https://github.com/async-doctor/async-doctor/blob/main/docs/rules/";

export interface RenderOptions {
  docsBase?: string;
}

export function ruleDocUrl(id: string, opts: RenderOptions = {}): string {
  return `${opts.docsBase ?? DEFAULT_DOCS_BASE}${id}.md`;
}

function explain(f: IssueFinding, ev: IssueEvidence): Explanation {
  const rule = ruleById(f.rule);
  if (!rule?.issue) throw new Error(`unknown issue rule ${f.rule}`);
  return rule.issue.explain(f, ev);
}

function evidenceBlock(items: Evidence[]): string {
  const lines: string[] = [];
  for (const e of items) {
    const where = e.line !== undefined ? `line ${e.line}: ` : "";
    lines.push(`${where}${e.text.length > 400 ? `${e.text.slice(0, 397)}...` : e.text}`);
  }
  return codeBlock(lines.join("\n"), "text");
}

function contextLines(ev: IssueEvidence): string[] {
  const out: string[] = [];
  const p = ev.context.platform;
  if (p.platform !== "unknown")
    out.push(`- Platform: ${platformName(p.platform)} (from ${code(p.because, 60)})`);
  if (ev.context.python) out.push(`- Python: ${code(ev.context.python, 20)}`);
  const versions = [...ev.context.versions]
    .filter(([k]) => k !== "python")
    .map(
      ([k, v]) =>
        `${k} ${code(v.version, 30)}${v.source === "inferred" ? " (inferred from a trio line number)" : ""}`,
    );
  if (versions.length > 0) out.push(`- Versions: ${versions.join(", ")}`);
  const patchers = ev.context.patchers.slice(0, 2).map((x) => code(x.because, 90));
  if (patchers.length > 0) out.push(`- Patching: ${patchers.join("; ")}`);
  return out;
}

/** The issue comment body (without the App's hidden marker). */
export function renderIssueComment(
  findings: IssueFinding[],
  ev: IssueEvidence,
  opts: RenderOptions = {},
): string {
  const parts: string[] = [];
  const explanations = findings.map((f) => ({
    f,
    x: explain(f, ev),
    title: ruleById(f.rule)?.title ?? f.rule,
  }));
  const first = explanations[0];
  if (!first) return "";
  if (explanations.length === 1) parts.push(`**async-doctor:** ${first.x.summary}`);
  else
    parts.push(
      `**async-doctor** recognised ${explanations.length} known concurrency-library problems in this report: ${explanations.map((e) => e.title).join("; ")}.`,
    );
  for (const { f, x, title } of explanations) {
    parts.push(`### ${title}`);
    if (explanations.length > 1) parts.push(x.summary);
    parts.push(x.cause.join("\n\n"));
    parts.push(
      `**How to fix it**, best first:\n\n${x.fixes.map((fix, i) => `${i + 1}. ${fix.replace(/\n/g, "\n   ")}`).join("\n")}`,
    );
    const conf =
      f.confidence === "high"
        ? "high confidence: the exact error or warning is in the text"
        : "medium confidence: described, not pasted";
    parts.push(
      `<details><summary>Evidence (${conf})</summary>\n\n${evidenceBlock(f.evidence)}\n\n</details>\n\nRule: [${code(f.rule, 60)}](${ruleDocUrl(f.rule, opts)})`,
    );
  }
  const ctx = contextLines(ev);
  if (ctx.length > 0)
    parts.push(`<details><summary>What I read from the report</summary>\n\n${ctx.join("\n")}\n\n</details>`);
  parts.push(
    "<sub>async-doctor diagnoses gevent / eventlet / trio / asyncio conflicts from the text of an issue. It updates this comment when the thread changes. If this diagnosis is wrong, say so in a comment; a maintainer can turn rules off in `.github/async-doctor.yml`.</sub>",
  );
  return parts.join("\n\n");
}

/** The comment body shown when an edit removed the evidence of an earlier diagnosis. */
export function renderNoLongerApplies(previousRules: string[]): string {
  const list = previousRules.length > 0 ? ` (${previousRules.map((r) => code(r, 60)).join(", ")})` : "";
  return `**async-doctor:** the text that supported my earlier diagnosis${list} is no longer in this issue, so that diagnosis no longer applies.\n\n<sub>async-doctor updates this comment when the thread changes.</sub>`;
}

/** A suggestion block replacing exactly the commented lines. */
export function suggestionBlock(text: string): string {
  const fence = fenceFor(text);
  return `${fence}suggestion\n${text}\n${fence}`;
}

/** Body of one inline review comment. */
export function renderReviewComment(
  f: CodeFinding,
  opts: RenderOptions & { suggestion?: boolean } = {},
): string {
  const title = ruleById(f.rule)?.title ?? f.rule;
  const parts = [`**async-doctor** · ${title} · [${f.rule}](${ruleDocUrl(f.rule, opts)})`, f.message];
  if (f.fix && opts.suggestion) parts.push(suggestionBlock(f.fix.text));
  parts.push(`<sub>Silence this line with \`# async-doctor: ignore[${f.rule}]\`.</sub>`);
  return parts.join("\n\n");
}

/** Plain text for a terminal. */
export function renderIssueText(findings: IssueFinding[], ev: IssueEvidence): string {
  const out: string[] = [];
  for (const f of findings) {
    const x = explain(f, ev);
    out.push(`${f.rule} (${f.confidence}): ${f.message}`);
    for (const e of f.evidence)
      out.push(`  evidence${e.line !== undefined ? ` (line ${e.line})` : ""}: ${e.text.slice(0, 200)}`);
    out.push(`  ${x.summary.replace(/`/g, "")}`);
  }
  return out.join("\n");
}
