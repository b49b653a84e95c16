/** The async-doctor Probot app: composes the handlers and the health route. */
import type { ApplicationFunctionOptions, Probot } from "probot";
import { createEngine, type Engine } from "./diagnosis/engine.js";
import { ConfigCache } from "./github/config-cache.js";
import { appIdentity, fixedIdentity, type IdentitySource } from "./github/identity.js";
import { redisOnce } from "./github/redis-once.js";
import { redisVersions } from "./github/redis-versions.js";
import { issueTriage } from "./handlers/issues.js";
import { pullRequestReview } from "./handlers/pull-requests.js";
import { healthz } from "./server/http.js";

export interface AppOptions {
  engine?: Promise<Engine>;
  docsBase?: string;
  /** Our bot account; default: `ASYNC_DOCTOR_BOT_LOGIN`, else `GET /app` (once per process). */
  me?: IdentitySource;
  /** How long a repository's configuration is reused; default `ASYNC_DOCTOR_CONFIG_TTL_S` or 300 s. */
  configTtlMs?: number;
}

/** Where replicas share state (`REDIS_URL`), and under which key prefix; null in one process. */
function sharedRedis(env: NodeJS.ProcessEnv): { url: string; prefix: string } | null {
  return env.REDIS_URL
    ? { url: env.REDIS_URL, prefix: env.ASYNC_DOCTOR_REDIS_PREFIX || "async-doctor" }
    : null;
}

function configCache(options: AppOptions, redis: ReturnType<typeof sharedRedis>): ConfigCache {
  const fromEnv = Number(process.env.ASYNC_DOCTOR_CONFIG_TTL_S ?? "300");
  const ttl = options.configTtlMs ?? (Number.isFinite(fromEnv) && fromEnv >= 0 ? fromEnv * 1000 : 300_000);
  return new ConfigCache(ttl, ttl > 0 && redis ? redisVersions(redis.url, redis.prefix) : null);
}

export function createApp(options: AppOptions = {}) {
  const engine = options.engine ?? createEngine();
  const render = options.docsBase ? { docsBase: options.docsBase } : {};
  return async (app: Probot, opts?: ApplicationFunctionOptions) => {
    await engine; // load the grammar before the first webhook
    const me =
      options.me ??
      (process.env.ASYNC_DOCTOR_BOT_LOGIN
        ? fixedIdentity(process.env.ASYNC_DOCTOR_BOT_LOGIN)
        : appIdentity(app));
    const redis = sharedRedis(process.env);
    const configs = configCache(options, redis);
    const labelsOnce = redis ? redisOnce(redis.url, redis.prefix) : null;
    issueTriage({ engine, render, me, configs, labelsOnce })(app);
    pullRequestReview({ engine, render, me, configs })(app);
    // A push to the default branch may change the configuration (`.github` repo: the owner's).
    app.on("push", async (context) => {
      const { payload } = context;
      const owner = payload.repository.owner?.login ?? payload.repository.owner?.name;
      if (!owner || payload.ref !== `refs/heads/${payload.repository.default_branch}`) return;
      await configs.pushed(owner, payload.repository.name);
    });
    try {
      opts?.addHandler(healthz);
    } catch {
      // Loaded without Probot's HTTP server (tests, serverless middleware): no health route.
    }
  };
}

export default createApp({ docsBase: process.env.ASYNC_DOCTOR_DOCS_URL });
