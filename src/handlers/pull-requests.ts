/**
 * Pull-request review: analyse the changed Python files at the head commit, comment on the exact
 * lines once per finding, keep comments in step across pushes, and report a check run.
 */
import type { Context, Probot, ProbotOctokit } from "probot";
import { parse as parseYaml } from "yaml";
import { createEngine, type Engine } from "../diagnosis/engine.js";
import type { CodeFinding } from "../diagnosis/types.js";
import {
  type Annotation,
  CheckRun,
  conclusionFor,
  findingAnnotation,
  summaryText,
} from "../github/checks.js";
import { CONFIG_FILE, type Config, parseConfig, ruleEnabled } from "../github/config.js";
import { validateConfigText } from "../github/config-lines.js";
import { loadConfig } from "../github/config-loader.js";
import { type Hunk, parsePatch } from "../github/diff.js";
import { matcher } from "../github/glob.js";
import {
  fetchConfigText,
  fetchContents,
  GITHUB_FILE_LIST_CAP,
  listPrFiles,
  type Skip,
  selectFiles,
} from "../github/pr-files.js";
import {
  existingState,
  placeFindings,
  postFileComments,
  postReview,
  type ReviewCommentInfo,
} from "../github/review.js";
import { DeliveryLog, KeyedLock } from "../github/util.js";

const CONFIG_PATH = `.github/${CONFIG_FILE}`;

export interface PullRequestOptions {
  engine?: Promise<Engine>;
  docsBase?: string;
}

interface PrTarget {
  owner: string;
  repo: string;
  number: number;
  headSha: string;
  baseSha: string;
  defaultBranch: string;
  draft: boolean;
  authorIsBot: boolean;
  /** First look at this PR: no earlier comments of ours can exist. */
  fresh: boolean;
  /** Explicitly requested (Re-run): ignore draft/bot skipping. */
  force: boolean;
}

type Log = Context["log"];

async function readConfig(context: Context, octokit: ProbotOctokit, t: PrTarget, log: Log): Promise<Config> {
  const text = await fetchConfigText(octokit, { owner: t.owner, repo: t.repo }, t.defaultBranch);
  let raw: unknown = null;
  if (text !== null) {
    try {
      raw = parseYaml(text);
    } catch (e) {
      log.warn(
        { repo: `${t.owner}/${t.repo}` },
        `invalid ${CONFIG_PATH} (YAML), using defaults: ${(e as Error).message.split("\n")[0]}`,
      );
      return parseConfig(null).config;
    }
  }
  if (raw !== null && typeof raw === "object" && "_extends" in (raw as object)) {
    // Inherit through Probot's loader, which follows `_extends`.
    const r = await loadConfig(context);
    if (r.error)
      log.warn({ repo: `${t.owner}/${t.repo}` }, `invalid ${CONFIG_PATH}, using defaults:\n${r.error}`);
    return r.config;
  }
  const r = parseConfig(raw);
  if (r.error)
    log.warn({ repo: `${t.owner}/${t.repo}` }, `invalid ${CONFIG_PATH}, using defaults:\n${r.error}`);
  return r.config;
}

async function review(
  context: Context,
  engine: Engine,
  t: PrTarget,
  options: PullRequestOptions,
): Promise<void> {
  const octokit = context.octokit;
  const log = context.log;
  const repo = { owner: t.owner, repo: t.repo };
  const config = await readConfig(context, octokit, t, log);
  const prc = config.pull_requests;
  if (!config.enabled || !prc.enabled) return;
  if (!t.force && ((prc.skip_drafts && t.draft) || (prc.skip_bots && t.authorIsBot))) return;

  const check = prc.check_run ? new CheckRun(octokit, repo, t.headSha, log) : null;
  await check?.start();
  try {
    await analyse(context, engine, t, options, config, check);
  } catch (e) {
    // Never leave the check spinning: close it, then let Probot log the error.
    await check
      ?.complete(
        "neutral",
        {
          title: "async-doctor could not finish",
          summary: "An error stopped the analysis; use Re-run to try again.",
          text: "",
        },
        [],
      )
      .catch(() => undefined);
    throw e;
  }
}

async function analyse(
  context: Context,
  engine: Engine,
  t: PrTarget,
  options: PullRequestOptions,
  config: Config,
  check: CheckRun | null,
): Promise<void> {
  const octokit = context.octokit;
  const log = context.log;
  const repo = { owner: t.owner, repo: t.repo };
  const pullRef = { ...repo, pull_number: t.number };
  const prc = config.pull_requests;
  const files = await listPrFiles(octokit, pullRef);
  const notes: string[] = [];
  if (files.length >= GITHUB_FILE_LIST_CAP)
    notes.push(
      `GitHub lists at most ${GITHUB_FILE_LIST_CAP} files of a pull request; files beyond that were not analysed.`,
    );
  const wanted = matcher(prc.include, prc.exclude);
  const read = selectFiles(files, wanted);
  const skipped: Skip[] = [];
  const configChange = files.find((f) => f.filename === CONFIG_PATH && f.status !== "removed");
  const { files: contents, extra } = await fetchContents(
    octokit,
    { ...repo, headSha: t.headSha, baseSha: t.baseSha },
    read,
    configChange ? [CONFIG_PATH] : [],
  );

  // Analyse head (and base, to tell what the PR introduces).
  const enabled = (id: string) => ruleEnabled(config, id);
  const hunks = new Map<string, Hunk[]>();
  for (const f of files) if (f.status !== "removed") hunks.set(f.filename, parsePatch(f.patch).hunks);
  const findings: CodeFinding[] = [];
  for (const f of read) {
    const c = contents.get(f.filename);
    if (!c || c.head === null) {
      skipped.push({ path: f.filename, reason: c?.missing ?? "not readable" });
      continue;
    }
    if (f.patch === undefined)
      notes.push(
        `\`${f.filename.replace(/`/g, "'")}\` has no diff in GitHub's file listing (too large): it was analysed, and its findings are commented at file level.`,
      );
    const head = engine.scanSource(f.filename, c.head, { enabled }).findings;
    if (prc.report === "changed-files") {
      findings.push(...head);
      continue;
    }
    const added = parsePatch(f.patch).added;
    const atBase = new Set(
      c.base === null
        ? []
        : engine.scanSource(f.filename, c.base, { enabled }).findings.map((x) => x.fingerprint),
    );
    for (const x of head)
      if (x.evidenceLines.some((l) => added.has(l)) || !atBase.has(x.fingerprint)) findings.push(x);
  }

  // A PR that edits the config gets it validated.
  const annotations: Annotation[] = [];
  let configInvalid = false;
  const configText = configChange ? extra.get(CONFIG_PATH) : undefined;
  if (configText !== undefined && configText !== null) {
    const problems = validateConfigText(configText);
    configInvalid = problems.length > 0;
    for (const p of problems)
      annotations.push({
        path: CONFIG_PATH,
        start_line: p.line,
        end_line: p.line,
        annotation_level: "failure",
        message: p.message,
        title: "invalid async-doctor configuration",
      });
    if (configInvalid)
      notes.push(
        `\`${CONFIG_PATH}\` in this pull request does not match the schema (see the annotations); the App would ignore it and use the defaults.`,
      );
  }

  // Across pushes: skip what is already posted, clean up what went away.
  let fresh = findings;
  if (!t.fresh) {
    const [comments, reviews] = await Promise.all([
      octokit.paginate(octokit.rest.pulls.listReviewComments, { ...pullRef, per_page: 100 }) as Promise<
        ReviewCommentInfo[]
      >,
      octokit.paginate(octokit.rest.pulls.listReviews, { ...pullRef, per_page: 100 }) as Promise<
        { body?: string | null; user: { type: string } | null }[]
      >,
    ]);
    const state = existingState(comments, reviews);
    const current = new Set(findings.map((f) => f.fingerprint));
    fresh = findings.filter((f) => !state.posted.has(f.fingerprint) && !state.inBodies.has(f.fingerprint));
    for (const [fp, ids] of state.posted) {
      if (current.has(fp)) continue;
      for (const id of ids) {
        if (state.repliedTo.has(id)) continue; // a human joined the thread: leave it alone
        await octokit.rest.pulls.deleteReviewComment({ ...repo, comment_id: id });
      }
    }
  }

  const renderOpts = { docsBase: options.docsBase };
  const placement = placeFindings(fresh, hunks, {
    ...renderOpts,
    maxComments: prc.max_comments,
    suggestions: prc.suggestions,
  });
  let reviewForbidden = false;
  if (placement.inline.length > 0 || placement.body.length > 0) {
    const outcome = await postReview(octokit, pullRef, t.headSha, placement, renderOpts, log);
    reviewForbidden = outcome.forbidden;
  }
  if (!reviewForbidden && placement.fileLevel.length > 0) {
    try {
      await postFileComments(octokit, pullRef, t.headSha, placement.fileLevel, renderOpts);
    } catch (e) {
      if ((e as { status?: number }).status !== 403) throw e;
      reviewForbidden = true;
    }
  }
  if (reviewForbidden)
    log.warn(
      { permission: "pull_requests: write" },
      "missing permission `pull_requests: write`: findings are reported in the check run only",
    );

  annotations.push(...findings.map(findingAnnotation));
  const output = summaryText(findings, skipped, notes);
  await check?.complete(conclusionFor(findings, prc.fail_on, configInvalid), output, annotations);
  log.info(
    { pull: t.number, findings: findings.length, posted: fresh.length, skipped: skipped.length },
    "pull request reviewed",
  );
}

export const PR_EVENTS = [
  "pull_request.opened",
  "pull_request.synchronize",
  "pull_request.reopened",
  "pull_request.ready_for_review",
] as const;

export function pullRequestReview(options: PullRequestOptions = {}) {
  const enginePromise = options.engine ?? createEngine();
  const deliveries = new DeliveryLog(2000);
  const locks = new KeyedLock();

  return (app: Probot) => {
    app.on([...PR_EVENTS], async (context) => {
      const p = context.payload as unknown as {
        action: string;
        before?: string;
        after?: string;
        pull_request: {
          number: number;
          state: string;
          draft?: boolean;
          user: { type: string } | null;
          head: { sha: string };
          base: { sha: string };
        };
        repository: { name: string; owner: { login: string }; default_branch: string };
      };
      const pr = p.pull_request;
      if (pr.state === "closed") return;
      if (p.action === "synchronize" && p.before !== undefined && p.before === p.after) return;
      if (deliveries.seen(context.id)) return;
      const engine = await enginePromise;
      const t: PrTarget = {
        owner: p.repository.owner.login,
        repo: p.repository.name,
        number: pr.number,
        headSha: pr.head.sha,
        baseSha: pr.base.sha,
        defaultBranch: p.repository.default_branch,
        draft: pr.draft === true,
        authorIsBot: pr.user?.type === "Bot",
        fresh: p.action === "opened",
        force: false,
      };
      await locks
        .run(`${t.owner}/${t.repo}#${t.number}`, () => review(context, engine, t, options))
        .catch((e: unknown) => {
          deliveries.forget(context.id); // let a redelivery or Re-run do the work
          throw e;
        });
    });

    app.on("check_run.rerequested", async (context) => {
      const p = context.payload as unknown as {
        check_run: {
          name: string;
          head_sha: string;
          pull_requests: { number: number; head: { sha: string }; base: { sha: string } }[];
        };
        repository: { name: string; owner: { login: string }; default_branch: string };
      };
      if (p.check_run.name !== "async-doctor") return;
      if (deliveries.seen(context.id)) return;
      const engine = await enginePromise;
      for (const pr of p.check_run.pull_requests) {
        const t: PrTarget = {
          owner: p.repository.owner.login,
          repo: p.repository.name,
          number: pr.number,
          headSha: p.check_run.head_sha,
          baseSha: pr.base.sha,
          defaultBranch: p.repository.default_branch,
          draft: false,
          authorIsBot: false,
          fresh: false,
          force: true,
        };
        await locks.run(`${t.owner}/${t.repo}#${t.number}`, () => review(context, engine, t, options));
      }
    });
  };
}
