/**
 * Pull-request listeners: filter the event, build a typed target, run the review recipe
 * (review.ts) once per delivery and one at a time per pull request.
 */
import type { Context, Probot } from "probot";
import type { Engine } from "../diagnosis/engine.js";
import { CHECK_NAME } from "../github/checks.js";
import { ConfigCache } from "../github/config-cache.js";
import { appIdentity, type IdentitySource } from "../github/identity.js";
import { DeliveryLog, KeyedLock } from "../github/util.js";
import type { RenderOptions } from "../report/links.js";
import { type PrTarget, reviewPullRequest } from "./review.js";

export const PR_EVENTS = [
  "pull_request.opened",
  "pull_request.synchronize",
  "pull_request.reopened",
  "pull_request.ready_for_review",
] as const;

export interface PullRequestOptions {
  engine: Promise<Engine>;
  render?: RenderOptions;
  /** Our bot account (default: from `GET /app`). */
  me?: IdentitySource;
  configs?: ConfigCache;
}

export function pullRequestReview(options: PullRequestOptions) {
  const deliveries = new DeliveryLog(2000);
  const locks = new KeyedLock();

  return (app: Probot) => {
    const me = options.me ?? appIdentity(app);
    const configs = options.configs ?? new ConfigCache(0);
    const run = async (context: Context, t: PrTarget) => {
      const deps = { context, engine: await options.engine, render: options.render ?? {}, me, configs };
      await locks.run(`${t.owner}/${t.repo}#${t.number}`, () => reviewPullRequest(deps, t));
    };

    app.on([...PR_EVENTS], async (context) => {
      const { payload } = context;
      const pr = payload.pull_request;
      if (pr.state === "closed") return;
      if (payload.action === "synchronize" && payload.before === payload.after) return;
      if (deliveries.seen(context.id)) return;
      const t: PrTarget = {
        owner: payload.repository.owner.login,
        repo: payload.repository.name,
        number: pr.number,
        headSha: pr.head.sha,
        baseSha: pr.base.sha,
        draft: pr.draft === true,
        authorIsBot: pr.user?.type === "Bot",
        fresh: payload.action === "opened",
        force: false,
      };
      await run(context, t).catch((e: unknown) => {
        deliveries.forget(context.id); // let a redelivery or Re-run do the work
        throw e;
      });
    });

    /** A re-run at `headSha`: each pull request it still heads is reviewed again, in full. */
    const rerun = async (
      context: Context,
      headSha: string,
      pulls: { number: number; head: { sha: string }; base: { sha: string } }[],
    ) => {
      if (deliveries.seen(context.id)) return;
      const { repository } = context.payload as { repository: { owner: { login: string }; name: string } };
      for (const pr of pulls) {
        if (pr.head.sha !== headSha) continue; // the pull request moved on: its newer head is reviewed
        await run(context, {
          owner: repository.owner.login,
          repo: repository.name,
          number: pr.number,
          headSha,
          baseSha: pr.base.sha,
          draft: false,
          authorIsBot: false,
          fresh: false,
          force: true,
        });
      }
    };
    // "Re-run all checks": the suite of a commit, with the pull requests it heads.
    app.on("check_suite.rerequested", (context) =>
      rerun(context, context.payload.check_suite.head_sha, context.payload.check_suite.pull_requests),
    );
    app.on("check_run.rerequested", async (context) => {
      if (context.payload.check_run.name !== CHECK_NAME) return;
      await rerun(context, context.payload.check_run.head_sha, context.payload.check_run.pull_requests);
    });
  };
}
