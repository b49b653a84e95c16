/**
 * Pull-request review, as a recipe: configuration, gate, start the check, changed files,
 * diagnose, decide what the PR introduced, sync comments, complete the check. Each step is a
 * call into github/ (I/O), diagnosis/ (the engine) or report/ (texts); the policy lives in
 * introduced.ts and github/review.ts's planComments.
 */
import type { Context } from "probot";
import { matcher } from "../config/globs.js";
import { CONFIG_PATH, type Config, ruleFilter } from "../config/schema.js";
import { validateConfigText } from "../config/validate.js";
import { append } from "../diagnosis/append.js";
import { type Engine, withoutCovered } from "../diagnosis/engine.js";
import { isTestPath } from "../diagnosis/paths.js";
import { isProjectFile } from "../diagnosis/project/project.js";
import type { CodeFinding } from "../diagnosis/types.js";
import { type Annotation, CheckRun, conclusionFor } from "../github/checks.js";
import type { ConfigCache } from "../github/config-cache.js";
import { parsePatch } from "../github/diff.js";
import type { IdentitySource } from "../github/identity.js";
import { fetchContents, GITHUB_FILE_LIST_CAP, listPrFiles, selectFiles } from "../github/pr-files.js";
import { listProjectFiles, MAX_PROJECT_BYTES, MAX_PROJECT_FILES } from "../github/project-files.js";
import { currentJob, finalAttempt } from "../queue/context.js";
import { mendable } from "../queue/job.js";
import { reasonOf } from "../queue/queue.js";
import { checkOutput, findingAnnotation, type Skip } from "../report/check.js";
import type { RenderOptions } from "../report/links.js";
import { code } from "../report/markdown.js";
import { introduced } from "./introduced.js";
import {
  type CodeFacts,
  contextAt,
  modulesToSearch,
  projectFindingsOfPr,
  projectSide,
} from "./project-context.js";
import { searchCalls, settleFindings } from "./project-search.js";
import { syncComments } from "./sync-comments.js";

/** One pull request at one head commit, as the listeners build it from a typed payload. */
export interface PrTarget {
  owner: string;
  repo: string;
  number: number;
  headSha: string;
  baseSha: string;
  draft: boolean;
  authorIsBot: boolean;
  /** First look at this PR: no earlier comments of ours can exist. */
  fresh: boolean;
  /** Explicitly requested (Re-run): ignore draft/bot skipping. */
  force: boolean;
}

export interface ReviewDeps {
  context: Context;
  engine: Engine;
  render: RenderOptions;
  /** Our own bot account: only its comments are ours to update or delete. */
  me: IdentitySource;
  configs: ConfigCache;
}

export async function reviewPullRequest(deps: ReviewDeps, t: PrTarget): Promise<void> {
  const { context } = deps;
  const repo = { owner: t.owner, repo: t.repo };
  // A retry, or a job taken over after a crash: earlier tries may have posted; look before posting.
  const job = currentJob();
  const resumed = job?.resumed ?? false;
  let check: CheckRun | null = null;
  let wantCheck = true;
  try {
    // 1. Configuration (default branch), 2. gate.
    const { config, error } = await deps.configs.get(context.octokit, repo);
    if (error)
      context.log.warn({ repo: `${t.owner}/${t.repo}` }, `invalid ${CONFIG_PATH}, using defaults:\n${error}`);
    const prc = config.pull_requests;
    wantCheck = prc.check_run;
    if (!config.enabled || !prc.enabled) return;
    if (!t.force && ((prc.skip_drafts && t.draft) || (prc.skip_bots && t.authorIsBot))) return;
    // 3. Start the check (one per head); whatever happens next, it is completed.
    if (prc.check_run) {
      check = new CheckRun(context.octokit, repo, t.headSha, context.log);
      await check.start(resumed ? (await deps.me()).login : undefined);
    }
    await analyse(deps, { ...t, fresh: t.fresh && !resumed }, config, check);
  } catch (e) {
    // A try that is not the last leaves the check in progress for the next one; the last one
    // always leaves a completed check run that says the review could not be made.
    // An error no retry can mend (a 404, a 422) is final whatever the attempt.
    const last = finalAttempt() || !mendable(e);
    if (last && wantCheck) await giveUp(deps, t, check, e).catch(() => undefined);
    throw e;
  }
}

/** The final word on a review that could not be made. */
async function giveUp(deps: ReviewDeps, t: PrTarget, existing: CheckRun | null, e: unknown): Promise<void> {
  const { context } = deps;
  let check = existing;
  if (check === null || !check.started) {
    check = new CheckRun(context.octokit, { owner: t.owner, repo: t.repo }, t.headSha, context.log);
    await check.start((await deps.me()).login);
  }
  const tries = currentJob()?.attempt ?? 1;
  await check.complete(
    "neutral",
    {
      title: "async-doctor could not make this review",
      summary: `The review failed ${tries === 1 ? "" : `after ${tries} tries `}(${code(reasonOf(e), 300)}). Push again or use Re-run to try again.`,
      text: "",
    },
    [],
  );
}

async function analyse(deps: ReviewDeps, t: PrTarget, config: Config, check: CheckRun | null): Promise<void> {
  const { context, engine } = deps;
  const octokit = context.octokit;
  const repo = { owner: t.owner, repo: t.repo };
  const pullRef = { ...repo, pull_number: t.number };
  const prc = config.pull_requests;
  const notes: string[] = [];
  const skipped: Skip[] = [];

  // 4. Changed files, and the ones worth reading.
  const files = await listPrFiles(octokit, pullRef);
  if (files.length >= GITHUB_FILE_LIST_CAP)
    notes.push(
      `GitHub lists at most ${GITHUB_FILE_LIST_CAP} files of a pull request; files beyond that were not analysed.`,
    );
  const wanted = matcher(prc.include, prc.exclude);
  const read = selectFiles(
    files,
    (path) => wanted(path) && (prc.include_tests || !isTestPath(path)),
    engine.registry.hunkMayMatter,
  );
  const configChange = files.find((f) => f.filename === CONFIG_PATH && f.status !== "removed");
  // Manifests and run configs, listed from the head tree when there is code or a project file to review.
  const needProject = read.length > 0 || files.some((f) => isProjectFile(f.filename));
  const listing = needProject
    ? await listProjectFiles(octokit, repo, t.headSha)
    : { paths: [], partial: null };
  if (listing.partial !== null)
    notes.push(
      listing.partial === "truncated"
        ? `The repository has more manifests and run configs than are read (at most ${MAX_PROJECT_FILES} files and ${MAX_PROJECT_BYTES / 1024 / 1024} MiB, the shallowest first): versions and run settings may be incomplete.`
        : "The head commit's file tree could not be listed: manifests and run configs were not read.",
    );
  const removedProjectFiles = files
    .filter((f) => f.status === "removed" && isProjectFile(f.filename))
    .map((f) => f.filename);
  const {
    files: contents,
    extra,
    extraBase,
  } = await fetchContents(
    octokit,
    { ...repo, headSha: t.headSha, baseSha: t.baseSha },
    read,
    [...(configChange ? [CONFIG_PATH] : []), ...listing.paths],
    [...listing.paths, ...removedProjectFiles],
  );
  const head = needProject ? projectSide(new Map(listing.paths.map((p) => [p, extra.get(p) ?? null]))) : null;
  const base = needProject ? projectSide(extraBase) : null;
  for (const p of head?.parts.flatMap((part) => part.project.deps.problems) ?? [])
    notes.push(`${code(p.file, 300)} was not fully read: ${code(p.reason, 200)}.`);

  // 5. Diagnose head and base (each with its project context); 6. keep what the PR introduced.
  const filter = ruleFilter(config);
  const findings: CodeFinding[] = [];
  const scanned: { head: CodeFacts; base: CodeFacts } = {
    head: { patches: [], calls: [] },
    base: { patches: [], calls: [] },
  };
  for (const f of read) {
    const c = contents.get(f.filename);
    if (!c || c.head === null) {
      skipped.push({ path: f.filename, reason: c?.missing ?? "not readable" });
      continue;
    }
    if (f.patch === undefined)
      notes.push(
        `${code(f.filename, 300)} has no diff in GitHub's file listing (too large): it was analysed, and its findings are commented at file level.`,
      );
    const before =
      c.base === null ? null : engine.scanSource(f.filename, c.base, filter, contextAt(base, f.filename));
    const after = engine.scanSource(f.filename, c.head, filter, contextAt(head, f.filename));
    if (after.incomplete) skipped.push({ path: f.filename, reason: "parsing stopped at its time budget" });
    append(scanned.head.patches, after.patches);
    append(scanned.head.calls, after.calls);
    append(scanned.base.patches, before?.patches ?? []);
    append(scanned.base.calls, before?.calls ?? []);
    append(
      findings,
      introduced(
        {
          head: after.findings,
          base: new Set((before?.findings ?? []).map((x) => x.fingerprint)),
          added: parsePatch(f.patch).added,
        },
        prc.report,
      ),
    );
  }
  // What later searches read at the head, and the files they need not read again.
  const at = { ...repo, headSha: t.headSha, baseSha: t.baseSha };
  const readPaths = new Set(read.map((f) => f.filename));
  if (head && base) {
    const sides = { head, base };
    // A PR that adds a package whose risk rests on calls in code it does not touch: search for them.
    const modules = modulesToSearch(sides, scanned.head.patches, engine.registry.callModulesFor);
    if (modules.length > 0) {
      const searched = await searchCalls(deps, at, modules, { head, read: readPaths, filter });
      append(scanned.head.calls, searched.calls);
      if (searched.note) notes.push(searched.note);
    }
    // Manifests are not Python: the include globs do not apply to them, the exclude globs do.
    const kept = matcher(["**"], prc.exclude);
    const mine = projectFindingsOfPr(sides, scanned, files, filter, prc.report).filter((f) => kept(f.file));
    append(findings, withoutCovered(mine, findings));
  }
  if (head) {
    // A run's finding whose fix the project applies in code this PR does not touch is no finding.
    const settled = await settleFindings(deps, at, findings, scanned.head.calls, {
      head,
      read: readPaths,
      filter,
    });
    if (settled.findings !== findings) {
      findings.length = 0;
      append(findings, settled.findings);
    }
    if (settled.note) notes.push(settled.note);
  }

  // A PR that edits the config gets it validated.
  const annotations: Annotation[] = [];
  const configText = configChange ? extra.get(CONFIG_PATH) : undefined;
  const problems = configText ? validateConfigText(configText) : [];
  for (const p of problems)
    annotations.push({
      path: CONFIG_PATH,
      start_line: p.line,
      end_line: p.line,
      annotation_level: "failure",
      message: p.message,
      title: "invalid async-doctor configuration",
    });
  if (problems.length > 0)
    notes.push(
      `\`${CONFIG_PATH}\` in this pull request does not match the schema (see the annotations); the App would ignore it and use the defaults.`,
    );

  // 7. Sync comments with what earlier pushes posted.
  const posted = await syncComments(deps, t, files, findings, config);

  // 8. Complete the check.
  append(annotations, findings.map(findingAnnotation));
  await check?.complete(
    conclusionFor(findings, prc.fail_on, problems.length > 0),
    checkOutput(findings, skipped, notes),
    annotations,
  );
  context.log.info(
    { pull: t.number, findings: findings.length, posted, skipped: skipped.length },
    "pull request reviewed",
  );
}
