import type { IncomingMessage, ServerResponse } from "node:http";
/** The async-doctor Probot app: composes the handlers and the health route. */
import type { ApplicationFunctionOptions, Probot } from "probot";
import { createEngine, type Engine } from "./diagnosis/engine.js";
import { appIdentity, fixedIdentity, type IdentitySource } from "./github/identity.js";
import { issueTriage } from "./handlers/issues.js";
import { pullRequestReview } from "./handlers/pull-requests.js";
import { VERSION } from "./version.js";

/** `GET /healthz`: liveness for load balancers and the Docker HEALTHCHECK. */
function healthz(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.url === "/healthz" || req.url?.startsWith("/healthz?")) {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: "ok", version: VERSION }));
    return true;
  }
  return false;
}

export interface AppOptions {
  engine?: Promise<Engine>;
  docsBase?: string;
  /** Our bot account; default: `ASYNC_DOCTOR_BOT_LOGIN`, else `GET /app` (once per process). */
  me?: IdentitySource;
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
    issueTriage({ engine, render, me })(app);
    pullRequestReview({ engine, render, me })(app);
    try {
      opts?.addHandler(healthz);
    } catch {
      // Loaded without Probot's HTTP server (tests, serverless middleware): no health route.
    }
  };
}

export default createApp({ docsBase: process.env.ASYNC_DOCTOR_DOCS_URL });
