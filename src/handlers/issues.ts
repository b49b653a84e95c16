/**
 * Issue triage: on issues and issue comments, diagnose what the thread has shown so far and
 * keep one sticky comment (and labels) in step with it.
 */
import type { Context, Probot } from "probot";
import { createEngine, type Engine, mentionsFamily, type TriageResult } from "../diagnosis/engine.js";
import { renderIssueComment, renderNoLongerApplies } from "../diagnosis/render.js";
import type { IssueFinding } from "../diagnosis/types.js";
import { ruleEnabled } from "../github/config.js";
import { type Config, loadConfig } from "../github/config-loader.js";
import { applyLabels, LabelCache, labelsFor } from "../github/labels.js";
import {
  findSticky,
  type IssueComment,
  type IssueRef,
  listComments,
  marker,
  parseMarker,
  writeSticky,
} from "../github/sticky.js";
import { DeliveryLog, KeyedLock, RecentSet } from "../github/util.js";

type IssueEvent =
  | "issues.opened"
  | "issues.edited"
  | "issues.reopened"
  | "issue_comment.created"
  | "issue_comment.edited";
export const ISSUE_EVENTS: IssueEvent[] = [
  "issues.opened",
  "issues.edited",
  "issues.reopened",
  "issue_comment.created",
  "issue_comment.edited",
];

interface IssueLike {
  number: number;
  title: string;
  body?: string | null;
  state?: string;
  locked?: boolean;
  comments: number;
  user: { type: string } | null;
  labels?: Array<string | { name?: string }>;
  pull_request?: unknown;
}

export interface IssueTriageOptions {
  engine?: Promise<Engine>;
  docsBase?: string;
}

/** The text the engine reads: title as a heading, then the body, then comments. */
export function threadText(title: string, body: string | null | undefined, comments: string[]): string {
  return [`# ${title}`, body ?? "", ...comments].join("\n\n");
}

function atLeast(findings: IssueFinding[], min: "high" | "medium"): IssueFinding[] {
  return min === "high" ? findings.filter((f) => f.confidence === "high") : findings;
}

export function issueTriage(options: IssueTriageOptions = {}) {
  const enginePromise = options.engine ?? createEngine();
  const deliveries = new DeliveryLog(2000);
  const locks = new KeyedLock();
  const labelCache = new LabelCache();
  /** Issues this process has commented on (bounded): always list comments there. */
  const answered = new RecentSet(5000);

  return (app: Probot) => {
    app.on(ISSUE_EVENTS, async (context) => {
      const payload = context.payload as unknown as {
        action: string;
        issue: IssueLike;
        comment?: { body?: string | null; user: { type: string } | null };
        changes?: { body?: { from?: string }; title?: { from?: string } };
        sender: { type: string };
        repository: { owner: { login: string }; name: string };
      };
      const issue = payload.issue;
      if (payload.sender?.type === "Bot" || context.isBot) return; // never act on bots, ourselves included
      if (issue.user?.type === "Bot" || issue.pull_request || issue.locked) return;
      if (deliveries.seen(context.id)) {
        context.log.debug({ delivery: context.id }, "redelivery: already handled");
        return;
      }
      const engine = await enginePromise;
      const isComment = context.name === "issue_comment";
      if (isComment && payload.comment?.user?.type === "Bot") return;

      // 1. What this event shows, before any API call.
      const eventText = threadText(issue.title, issue.body, isComment ? [payload.comment?.body ?? ""] : []);
      const eventResult = engine.triage(eventText);
      const eventFindings = eventResult.findings;
      let previousText = "";
      if (payload.action === "edited" && payload.changes) {
        // An edited comment: its old text; an edited issue: the old title and body.
        previousText = isComment
          ? (payload.changes.body?.from ?? "")
          : threadText(
              payload.changes.title?.from ?? issue.title,
              payload.changes.body?.from ?? issue.body,
              [],
            );
      }
      const otherComments = issue.comments > (isComment ? 1 : 0);
      const relevant =
        eventFindings.length > 0 ||
        (previousText !== "" &&
          (engine.triage(previousText).findings.length > 0 || mentionsFamily(previousText))) ||
        (otherComments && mentionsFamily(eventText));
      if (!relevant) return; // no finding, nothing that could combine with earlier comments: no API call

      const ref: IssueRef = context.issue();
      const key = `${ref.owner}/${ref.repo}#${ref.issue_number}`;
      await locks
        .run(key, async () => {
          const { config, error } = await loadConfig(context);
          if (error)
            context.log.warn(
              { repo: `${ref.owner}/${ref.repo}` },
              `invalid .github/async-doctor.yml, using defaults:\n${error}`,
            );
          if (!config.enabled || !config.issues.enabled) return;
          if (issue.state === "closed" && !config.issues.closed) return;
          // An event racing the one that created our comment may carry a stale comment count.
          const hasComments = otherComments || isComment || answered.has(key);
          const created = await triageThread({
            context,
            engine,
            config,
            issue,
            ref,
            hasComments,
            labelCache,
            options,
            event: { text: eventText, result: eventResult },
          });
          if (created) answered.add(key);
        })
        .catch((e: unknown) => {
          deliveries.forget(context.id);
          throw e;
        });
    });
  };
}

interface ThreadJob {
  context: Context;
  engine: Engine;
  config: Config;
  issue: IssueLike;
  ref: IssueRef;
  hasComments: boolean;
  labelCache: LabelCache;
  options: IssueTriageOptions;
  /** What the event alone showed, reused when the thread is just that. */
  event: { text: string; result: TriageResult };
}

/** Diagnose the thread and bring the sticky comment and labels in step. True when it created the comment. */
async function triageThread(job: ThreadJob): Promise<boolean> {
  const { context, engine, config, issue, ref, hasComments, labelCache, options } = job;
  // 2. The whole thread: one paginated listing (skipped when the issue has no comments yet).
  const comments: IssueComment[] = hasComments ? await listComments(context.octokit, ref) : [];
  const human = comments.filter((c) => c.user?.type !== "Bot").map((c) => c.body ?? "");
  const text = threadText(issue.title, issue.body, human);
  const enabled = (id: string) => ruleEnabled(config, id);
  // Rules are independent, so filtering the event's findings equals re-running with the filter.
  const result: TriageResult =
    text === job.event.text
      ? { ...job.event.result, findings: job.event.result.findings.filter((f) => enabled(f.rule)) }
      : engine.triage(text, { enabled });
  const findings = atLeast(result.findings, config.issues.min_confidence);
  const sticky = findSticky(comments);
  let created = false;

  if (config.issues.mode === "comment") {
    if (findings.length > 0) {
      const body = `${marker(findings.map((f) => f.rule))}\n${renderIssueComment(findings, result.evidence, { docsBase: options.docsBase })}`;
      const outcome = await writeSticky(context.octokit, ref, sticky, body);
      context.log.info(
        { issue: ref.issue_number, rules: findings.map((f) => f.rule), outcome },
        "issue diagnosis",
      );
      created = outcome === "created";
    } else if (sticky.length > 0) {
      const before = parseMarker(sticky[0]?.body) ?? [];
      if (before.length > 0) {
        // The evidence is gone: say so instead of silently deleting the comment.
        const body = `${marker([])}\n${renderNoLongerApplies(before)}`;
        const outcome = await writeSticky(context.octokit, ref, sticky, body);
        context.log.info({ issue: ref.issue_number, outcome }, "diagnosis no longer applies");
      } else if (sticky.length > 1) {
        await writeSticky(context.octokit, ref, sticky, sticky[0]?.body ?? "");
      }
    }
  }

  const high = result.findings.filter((f) => f.confidence === "high");
  if (config.issues.labels.enabled && high.length > 0) {
    const present = (issue.labels ?? []).map((l) => (typeof l === "string" ? l : (l.name ?? "")));
    await applyLabels(
      context.octokit,
      ref,
      labelsFor(
        config,
        high.map((f) => f.rule),
      ),
      present,
      labelCache,
    );
  }
  return created;
}
