/**
 * Issue triage: on issues and issue comments, diagnose what the thread has shown so far and
 * keep one sticky comment (and labels) in step with it.
 */
import type { Context, Probot } from "probot";
import { atLeast, issueLabels } from "../config/issue-policy.js";
import { CONFIG_PATH, type Config, ruleFilter } from "../config/schema.js";
import type { Engine, TriageResult } from "../diagnosis/engine.js";
import { threadOf, threadText } from "../diagnosis/text/thread.js";
import type { IssueFinding } from "../diagnosis/types.js";
import { ConfigCache } from "../github/config-cache.js";
import { appIdentity, type IdentitySource } from "../github/identity.js";
import { applyLabels, LabelCache, type SharedOnce } from "../github/labels.js";
import { linkedChanges } from "../github/linked.js";
import { relatedIssues } from "../github/related.js";
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
import { renderIssueComment, renderNoLongerApplies } from "../report/issue-comment.js";
import type { RenderOptions } from "../report/links.js";

export const ISSUE_EVENTS = [
  "issues.opened",
  "issues.edited",
  "issues.reopened",
  "issue_comment.created",
  "issue_comment.edited",
] as const;

interface IssueLike {
  number: number;
  title: string;
  body?: string | null;
  state?: string;
  locked?: boolean;
  comments: number;
  user: { type?: string } | null;
  labels?: Array<string | { name?: string } | null>;
  pull_request?: unknown;
}

export interface IssueTriageOptions {
  engine: Promise<Engine>;
  render?: RenderOptions;
  /** Our bot account (default: from `GET /app`). */
  me?: IdentitySource;
  configs?: ConfigCache;
  /** Label creation shared across replicas (Redis), when there are several. */
  labelsOnce?: SharedOnce | null;
}

export { threadText } from "../diagnosis/text/thread.js";

/** Comment authors whose words are the project's, not the reporter's. */
const MAINTAINER = new Set(["OWNER", "MEMBER", "COLLABORATOR"]);

export function byMaintainer(c: { author_association?: string | null }): boolean {
  return MAINTAINER.has(c.author_association ?? "");
}

export function issueTriage(options: IssueTriageOptions) {
  const deliveries = new DeliveryLog(2000);
  const locks = new KeyedLock();
  const labelCache = new LabelCache(options.labelsOnce ?? null);
  /** Issues this process has commented on (bounded): always list comments there. */
  const answered = new RecentSet(5000);

  return (app: Probot) => {
    const me = options.me ?? appIdentity(app);
    const configs = options.configs ?? new ConfigCache(0);
    app.on([...ISSUE_EVENTS], async (context) => {
      const { payload } = context;
      const issue: IssueLike = payload.issue;
      const comment = "comment" in payload ? payload.comment : undefined;
      if (payload.sender?.type === "Bot" || context.isBot) return; // never act on bots, ourselves included
      if (issue.user?.type === "Bot" || issue.pull_request || issue.locked) return;
      if (comment?.user?.type === "Bot") return;
      if (deliveries.seen(context.id)) {
        context.log.debug({ delivery: context.id }, "redelivery: already handled");
        return;
      }
      const engine = await options.engine;

      // 1. What this event shows, before any API call. A maintainer's comment is not evidence.
      const repo = `${payload.repository.owner.login}/${payload.repository.name}`;
      const maintainerComment = comment !== undefined && byMaintainer(comment);
      const eventText = threadText(
        issue.title,
        issue.body,
        comment && !maintainerComment ? [comment.body ?? ""] : [],
      );
      const eventResult = engine.triage(
        eventText,
        {},
        { repo, maintainerTexts: maintainerComment ? [comment.body ?? ""] : [] },
      );
      let previousText = "";
      if (payload.action === "edited" && "changes" in payload && payload.changes) {
        const changes = payload.changes as { body?: { from?: string }; title?: { from?: string } };
        // An edited comment: its old text; an edited issue: the old title and body.
        previousText = comment
          ? (changes.body?.from ?? "")
          : threadText(changes.title?.from ?? issue.title, changes.body?.from ?? issue.body, []);
      }
      const otherComments = issue.comments > (comment ? 1 : 0);
      const family = engine.registry.mentionsFamily;
      const relevant =
        eventResult.findings.length > 0 ||
        (previousText !== "" && (engine.triage(previousText).findings.length > 0 || family(previousText))) ||
        (otherComments && family(eventText));
      if (!relevant) return; // no finding, nothing that could combine with earlier comments: no API call

      const ref: IssueRef = context.issue();
      const key = `${ref.owner}/${ref.repo}#${ref.issue_number}`;
      await locks
        .run(key, async () => {
          const { config, error } = await configs.get(context.octokit, {
            owner: ref.owner,
            repo: ref.repo,
          });
          if (error)
            context.log.warn(
              { repo: `${ref.owner}/${ref.repo}` },
              `invalid ${CONFIG_PATH}, using defaults:\n${error}`,
            );
          if (!config.enabled || !config.issues.enabled) return;
          if (issue.state === "closed" && !config.issues.closed) return;
          // An event racing the one that created our comment may carry a stale comment count.
          const hasComments = otherComments || comment !== undefined || answered.has(key);
          const created = await triageThread({
            context,
            engine,
            config,
            issue,
            ref,
            hasComments,
            opened: payload.action === "opened" && comment === undefined,
            labelCache,
            render: options.render ?? {},
            me,
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
  /** A new issue: nothing can link to it yet. */
  opened: boolean;
  labelCache: LabelCache;
  render: RenderOptions;
  me: IdentitySource;
  /** What the event alone showed, reused when the thread is just that. */
  event: { text: string; result: TriageResult };
}

/** The sticky comment's body for these findings, or null for "no comment wanted". */
function desiredBody(
  findings: IssueFinding[],
  result: TriageResult,
  sticky: IssueComment[],
  render: RenderOptions,
) {
  if (findings.length > 0)
    return `${marker(findings.map((f) => f.rule))}\n${renderIssueComment(findings, result.evidence, render)}`;
  // A maintainer has since given the diagnosis, or the thread says it works now: the evidence did
  // not go away, keep what is there.
  if (result.answered.length > 0 || result.resolved.length > 0) return sticky[0]?.body ?? null;
  const before = parseMarker(sticky[0]?.body) ?? [];
  // The evidence is gone: say so instead of silently deleting the comment.
  if (before.length > 0) return `${marker([])}\n${renderNoLongerApplies(before)}`;
  return sticky[0]?.body ?? null; // nothing to say: keep what is there (duplicates still healed)
}

/** Diagnose the thread and bring the sticky comment and labels in step. True when it created the comment. */
async function triageThread(job: ThreadJob): Promise<boolean> {
  const { context, engine, config, issue, ref, hasComments } = job;
  // 2. The whole thread: one paginated listing (skipped when the issue has no comments yet).
  const comments: IssueComment[] = hasComments ? await listComments(context.octokit, ref) : [];
  const human = comments.filter((c) => c.user?.type !== "Bot");
  const { text, unread } = threadOf(
    issue.title,
    issue.body,
    human.filter((c) => !byMaintainer(c)).map((c) => c.body ?? ""),
  );
  const maintainerTexts = human.filter(byMaintainer).map((c) => c.body ?? "");
  const filter = ruleFilter(config);
  const thread = { repo: `${ref.owner}/${ref.repo}`, maintainerTexts, unread };
  // Rules are independent of the filter, so filtering the event's findings equals re-running with it.
  let result: TriageResult =
    text === job.event.text && maintainerTexts.length === 0
      ? {
          ...job.event.result,
          findings: job.event.result.findings.filter((f) => filter.enabled?.(f.rule) ?? true),
        }
      : engine.triage(text, filter, thread);
  let findings = atLeast(result.findings, config.issues.min_confidence);
  let created = false;
  const commenting = config.issues.mode === "comment";

  // 3. Something to say on an issue that already existed: one timeline request for linked pull
  // requests; one that already makes the fix is the answer (nothing is said over it).
  if (commenting && findings.length > 0 && !job.opened) {
    const changeTexts = (await linkedChanges(context.octokit, ref)).map((c) => c.text);
    if (changeTexts.length > 0) {
      result = engine.triage(text, filter, { ...thread, changeTexts });
      findings = atLeast(result.findings, config.issues.min_confidence);
    }
  }

  if (commenting) {
    const sticky = findSticky(comments, await job.me());
    const first = findings[0];
    // One search request, only when there is something to say (and only when asked for).
    const related =
      config.issues.related && first ? await relatedIssues(context.octokit, ref, first.rule) : [];
    const body = desiredBody(findings, result, sticky, { ...job.render, related });
    if (body !== null && (findings.length > 0 || sticky.length > 0)) {
      const outcome = await writeSticky(context.octokit, ref, sticky, body);
      if (outcome !== "unchanged" || findings.length > 0)
        context.log.info(
          { issue: ref.issue_number, rules: findings.map((f) => f.rule), outcome },
          "issue diagnosis",
        );
      created = outcome === "created";
    }
  }

  const labels = issueLabels(config, result.findings);
  if (labels.length > 0) {
    const present = (issue.labels ?? []).map((l) => (typeof l === "string" ? l : (l?.name ?? "")));
    await applyLabels(context.octokit, ref, labels, present, job.labelCache);
  }
  return created;
}
