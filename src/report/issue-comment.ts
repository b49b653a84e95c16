/** The issue comment the App posts (without the App's hidden marker). */
import { ruleTitle } from "../diagnosis/catalog.js";
import type { IssueEvidence } from "../diagnosis/rule.js";
import { platformName } from "../diagnosis/text/platform.js";
import type { Evidence, IssueFinding } from "../diagnosis/types.js";
import { type RenderOptions, ruleDocUrl } from "./links.js";
import { code, codeBlock, details, fixMarkdown } from "./markdown.js";

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
  if (ev.unread > 0)
    out.push(
      `- Not read: ${ev.unread.toLocaleString("en")} characters of this long thread (the start and end of long posts, and the newest comments, were read)`,
    );
  return out;
}

export function renderIssueComment(
  findings: IssueFinding[],
  ev: IssueEvidence,
  opts: RenderOptions = {},
): string {
  const first = findings[0];
  if (!first) return "";
  const parts: string[] = [];
  if (findings.length === 1)
    parts.push(
      first.confidence === "high"
        ? `**async-doctor:** ${first.explanation.summary}`
        : `**async-doctor** (medium confidence: inferred from what the report describes, not from a pasted error): ${first.explanation.summary}`,
    );
  else
    parts.push(
      `**async-doctor** recognised ${findings.length} known concurrency-library problems in this report: ${findings.map((f) => ruleTitle(f.rule)).join("; ")}.`,
    );
  for (const f of findings) {
    const x = f.explanation;
    parts.push(`### ${ruleTitle(f.rule)}`);
    if (findings.length > 1)
      parts.push(f.confidence === "high" ? x.summary : `Likely (inferred, not pasted): ${x.summary}`);
    parts.push(x.cause.join("\n\n"));
    parts.push(
      `**How to fix it**, best first:\n\n${x.fixes.map((fix, i) => `${i + 1}. ${fixMarkdown(fix).replace(/\n/g, "\n   ")}`).join("\n")}`,
    );
    const conf =
      f.confidence === "high"
        ? "high confidence: the exact error or warning is in the text"
        : "medium confidence: described, not pasted";
    parts.push(
      `${details(`Evidence (${conf})`, evidenceBlock(f.evidence))}\n\nRule: [${code(f.rule, 60)}](${ruleDocUrl(f.rule, opts)})`,
    );
  }
  const ctx = contextLines(ev);
  if (ctx.length > 0) parts.push(details("What I read from the report", ctx.join("\n")));
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
