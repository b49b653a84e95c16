/**
 * `npm start`: run the App with Probot's server. In production it refuses to start without
 * credentials and a webhook secret; elsewhere, with no credentials, Probot's setup flow starts
 * (register the App from app.yml in the browser).
 */
import { createPrivateKey } from "node:crypto";
import { existsSync } from "node:fs";
import { getPrivateKey } from "@probot/get-private-key";
import { startSetup } from "./server/setup.js";
import { graceFrom, type Role, type Running, start } from "./server/start.js";

/**
 * Why the App must not start, or null. With real credentials, a missing secret or the
 * well-known secret `development` would let anyone forge webhooks: refused unless
 * `ASYNC_DOCTOR_DEV=1` says this is a development machine. In production, credentials are required.
 */
export function startupProblem(env: NodeJS.ProcessEnv): string | null {
  const credentials = !!env.APP_ID && !!(env.PRIVATE_KEY || env.PRIVATE_KEY_PATH);
  const dev = env.ASYNC_DOCTOR_DEV === "1" && env.NODE_ENV !== "production";
  if ((credentials || env.NODE_ENV === "production") && !dev) {
    if (!env.WEBHOOK_SECRET)
      return 'WEBHOOK_SECRET is not set (without it Probot would accept webhooks signed with the secret "development"; set ASYNC_DOCTOR_DEV=1 to allow that on a development machine)';
    if (env.WEBHOOK_SECRET === "development")
      return 'WEBHOOK_SECRET is the well-known "development" (anyone could sign webhooks; set ASYNC_DOCTOR_DEV=1 to allow it on a development machine)';
  }
  if (credentials) {
    const keyProblem = privateKeyProblem(env);
    if (keyProblem) return keyProblem;
  }
  if (env.NODE_ENV !== "production") return null;
  if (!env.APP_ID) return "APP_ID is not set";
  if (!env.PRIVATE_KEY && !env.PRIVATE_KEY_PATH) return "neither PRIVATE_KEY nor PRIVATE_KEY_PATH is set";
  return null;
}

/**
 * Why the App's private key cannot sign, or null: read as Probot reads it (PRIVATE_KEY, with `\n`
 * escapes or base64, or PRIVATE_KEY_PATH), then parsed. Never says anything of the key itself.
 */
export function privateKeyProblem(env: NodeJS.ProcessEnv): string | null {
  let key: string | null;
  try {
    key = getPrivateKey({ env });
  } catch (e) {
    return `the private key could not be read (${(e as Error).message.split("\n")[0]?.slice(0, 200)})`;
  }
  if (!key) return "the private key could not be read (PRIVATE_KEY and PRIVATE_KEY_PATH give nothing)";
  try {
    const parsed = createPrivateKey(key);
    if (parsed.asymmetricKeyType !== "rsa")
      return "the private key is not an RSA key (GitHub Apps sign with RSA)";
  } catch {
    return "the private key is not a valid PEM private key (PRIVATE_KEY / PRIVATE_KEY_PATH): download a new one from the App's settings";
  }
  return null;
}

// `.env` (written by the setup flow) counts as environment, as it does for Probot.
if (existsSync(".env")) {
  try {
    process.loadEnvFile(".env");
  } catch (e) {
    process.stderr.write(`async-doctor: .env could not be read: ${(e as Error).message}\n`);
  }
}

const problem = startupProblem(process.env);
if (problem) {
  process.stderr.write(`async-doctor: refusing to start: ${problem}\n`);
  process.exit(1);
}
const role: Role = process.argv[2] === "worker" ? "worker" : process.argv[2] === "web" ? "web" : "all";
if (!process.env.APP_ID || !(process.env.PRIVATE_KEY || process.env.PRIVATE_KEY_PATH)) {
  process.stderr.write(
    `async-doctor: no App credentials (APP_ID, PRIVATE_KEY): starting Probot's setup flow. Open http://${process.env.HOST ?? "localhost"}:${process.env.PORT ?? "3000"} to register the App from app.yml.\n`,
  );
  await startSetup(process.env);
} else {
  if (!process.env.WEBHOOK_SECRET || process.env.WEBHOOK_SECRET === "development")
    process.stderr.write(
      'async-doctor: ASYNC_DOCTOR_DEV=1: accepting webhooks signed with the secret "development". Never expose this server.\n',
    );
  let running: Running;
  // A work thread that keeps dying cannot do the work: stop, non-zero, so a supervisor notices.
  const fatal = (reason: string) => {
    process.stderr.write(`async-doctor: stopping: ${reason}\n`);
    process.exit(1);
  };
  try {
    running = await start(role, process.env, undefined, fatal);
  } catch (e) {
    process.stderr.write(`async-doctor: cannot start: ${(e as Error).message}\n`);
    process.exit(1);
  }
  if (process.env.WEBHOOK_PROXY_URL && running.server) await proxy(process.env, running.log);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const grace = graceFrom(process.env);
    running.log.info(
      { signal, graceMs: grace },
      "stopping: no new jobs or connections; finishing the jobs in hand",
    );
    // Whatever hangs (a Redis that does not answer), the process ends a little after the grace.
    setTimeout(() => process.exit(0), grace + 15_000).unref();
    await running.stop(grace);
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

/** Local development: forward a smee.io channel to this server, when smee-client is installed. */
async function proxy(env: NodeJS.ProcessEnv, log: Running["log"]): Promise<void> {
  const target = `http://${env.HOST || "localhost"}:${env.PORT || "3000"}${env.WEBHOOK_PATH || "/api/github/webhooks"}`;
  try {
    const name = "smee-client";
    const { SmeeClient } = (await import(name)) as {
      SmeeClient: new (o: {
        source: string;
        target: string;
        logger: unknown;
      }) => { start(): Promise<unknown> };
    };
    await new SmeeClient({ source: env.WEBHOOK_PROXY_URL as string, target, logger: log }).start();
  } catch {
    log.warn(
      `WEBHOOK_PROXY_URL is set: run \`npx smee-client -u ${env.WEBHOOK_PROXY_URL} -t ${target}\` to forward webhooks here.`,
    );
  }
}
