/**
 * The issue comment the App posts (without the App's hidden marker). The first screen is the
 * answer: the cause for this thread in one sentence, the one best fix, and what in the thread
 * shows it. Everything else (why, other fixes, what the thread already has, evidence, links) is
 * folded into one `<details>`. One comment per incident: further findings are folded too.
 */
import { ruleInfo, ruleTitle } from "../diagnosis/catalog.js";
import type { IssueEvidence } from "../diagnosis/rule.js";
import { patcherShort } from "../diagnosis/text/patcher-words.js";
import { platformName } from "../diagnosis/text/platform.js";
import type { Evidence, Fix, IssueFinding } from "../diagnosis/types.js";
import { type RenderOptions, ruleDocUrl } from "./links.js";
import { code, codeBlock, details, fixMarkdown } from "./markdown.js";

/** The evidence lines quoted from the report: at most two different lines, each cut to 100 characters. */
function evidenceBlock(items: readonly Evidence[]): string {
  const seen = new Set<number>();
  const lines = items
    .filter((e) => e.line !== undefined && !seen.has(e.line) && seen.add(e.line))
    .slice(0, 2)
    .map((e) => `line ${e.line}: ${e.text.length > 100 ? `${e.text.slice(0, 97)}...` : e.text}`);
  return lines.length > 0 ? codeBlock(lines.join("\n"), "text") : "";
}

/** Versions worth naming first (the rest keep the order they were read in). */
const FIRST_VERSIONS = [
  "trio",
  "gevent",
  "eventlet",
  "httpcore",
  "grpcio",
  "psycopg2",
  "psycopg",
  "gunicorn",
];
const rank = (pkg: string) => {
  const i = FIRST_VERSIONS.indexOf(pkg);
  return i < 0 ? FIRST_VERSIONS.length : i;
};

/** How the process was patched, in our words (a library's name as a code span). */
/** What in the thread the answer rests on, in a short clause list (our words and code spans). */
function shown(f: IssueFinding, ev: IssueEvidence): string {
  const parts: string[] = [];
  if (f.explanation.shown) parts.push(f.explanation.shown);
  const p = ev.context.platform;
  if (p.platform !== "unknown") {
    const name = platformName(p.platform);
    // The platform's name only: how it was read is on the rule's page, and the evidence is folded.
    parts.push(name);
  }
  const v = [...ev.context.versions]
    .filter(([k]) => k !== "python")
    .sort(([a], [b]) => rank(a) - rank(b))
    .slice(0, 2);
  for (const [k, x] of v)
    parts.push(`${k} ${code(x.version, 20)}${x.source === "inferred" ? " (from a line number)" : ""}`);
  const patch = ev.context.patchers[0];
  // "The report mentions gevent" shows nothing a reader does not see; how it patches does.
  const how = patch ? patcherShort(patch) : null;
  if (how && !f.explanation.shown) parts.push(how);
  return parts.length > 0 ? `Shown here: ${parts.join("; ")}.` : "";
}

function numbered(fixes: readonly Fix[]): string {
  return fixes.map((fix) => `- ${fixMarkdown(fix).replace(/\n/g, "\n  ")}`).join("\n");
}

/** The rule's first two upstream threads (the rule's page lists them all). */
function upstream(rule: string): string {
  const refs = (ruleInfo(rule)?.upstream ?? []).slice(0, 2);
  return refs.map((r) => `, [${r.name}](${r.url})`).join("");
}

function folded(
  f: IssueFinding,
  ev: IssueEvidence,
  opts: RenderOptions,
  others: readonly IssueFinding[],
): string {
  const x = f.explanation;
  const parts: string[] = [];
  if (x.cause.length > 0) parts.push(x.cause.join(" "));
  if (x.fixes.length > 1) parts.push(`Other fixes:\n\n${numbered(x.fixes.slice(1))}`);
  const had: string[] = [];
  for (const a of x.thread?.applied ?? [])
    had.push(`tried (line ${a.evidence.line}): ${a.fix.title ?? a.fix.id.split("/")[1]}`);
  if ((x.thread?.given.length ?? 0) > 0)
    had.push(
      `already suggested by a maintainer: ${(x.thread?.given ?? []).map((g) => code(g.id.split("/")[1] ?? "", 40)).join(", ")}`,
    );
  if (had.length > 0) parts.push(`In this thread already: ${had.join("; ")}.`);
  const related = (opts.related ?? []).filter((n) => Number.isSafeInteger(n) && n > 0);
  if (related.length > 0) parts.push(`Same cause as ${related.map((n) => `#${n}`).join(", ")}.`);
  for (const o of others)
    parts.push(`Also: ${o.explanation.summary} ([${code(o.rule, 60)}](${ruleDocUrl(o.rule, opts)}))`);
  const ev0 = evidenceBlock(f.evidence);
  if (ev0) parts.push(ev0);
  if (ev.unread > 0)
    parts.push(`Not read: ${ev.unread.toLocaleString("en")} characters of this long thread.`);
  parts.push(`See [${code(f.rule, 60)}](${ruleDocUrl(f.rule, opts)})${upstream(f.rule)}.`);
  return details("Why, other fixes, evidence", parts.join("\n\n"));
}

export function renderIssueComment(
  findings: IssueFinding[],
  ev: IssueEvidence,
  opts: RenderOptions = {},
): string {
  const first = findings[0];
  if (!first) return "";
  const x = first.explanation;
  const parts: string[] = [];
  const likely = first.confidence === "high" ? "" : " (medium confidence, inferred)";
  parts.push(`**async-doctor**${likely}: ${x.summary}`);
  const best = x.fixes[0];
  if (best) {
    const lead = (x.thread?.given.length ?? 0) > 0 ? "**Besides what was suggested above:**" : "**Fix:**";
    // The fix's lead reads as plain words after the bold label.
    const plainLead = best.title
      ? {
          ...best,
          title: undefined,
          text: `${best.title}${/^[,.;:]/.test(best.text) ? "" : " "}${best.text}`,
        }
      : best;
    parts.push(`${lead} ${fixMarkdown(plainLead)}`);
  }
  const why = shown(first, ev);
  if (why) parts.push(why);
  parts.push(folded(first, ev, opts, findings.slice(1)));
  parts.push("<sub>Wrong? Say so in a comment. Settings: `.github/async-doctor.yml`.</sub>");
  return parts.join("\n\n");
}

/** The comment body shown when an edit removed the evidence of an earlier diagnosis. */
export function renderNoLongerApplies(previousRules: string[]): string {
  const list = previousRules.length > 0 ? ` (${previousRules.map((r) => code(r, 60)).join(", ")})` : "";
  return `**async-doctor:** the text that supported my earlier diagnosis${list} is no longer in this issue, so that diagnosis no longer applies.\n\n<sub>async-doctor updates this comment when the thread changes.</sub>`;
}

/** Words as a reader counts them: HTML tags and link targets dropped, everything else split on spaces. */
export function wordCount(markdown: string): number {
  const text = markdown
    .replace(/<[^<>]{0,200}>/g, " ")
    .replace(/\]\([^()\s]{0,500}\)/g, "] ")
    .replace(/[`*#|>]/g, " ");
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

/** The part of a comment before its first `<details>` (what a reader sees without unfolding). */
export function beforeFold(markdown: string): string {
  const at = markdown.indexOf("<details>");
  return at < 0 ? markdown : markdown.slice(0, at);
}

export { ruleTitle };
