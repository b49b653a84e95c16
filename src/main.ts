/**
 * `npm start`: run the App with Probot's server. In production it refuses to start without
 * credentials and a webhook secret; elsewhere, with no credentials, Probot's setup flow starts
 * (register the App from app.yml in the browser).
 */
import { run } from "probot";
import app from "./index.js";

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
  if (env.NODE_ENV !== "production") return null;
  if (!env.APP_ID) return "APP_ID is not set";
  if (!env.PRIVATE_KEY && !env.PRIVATE_KEY_PATH) return "neither PRIVATE_KEY nor PRIVATE_KEY_PATH is set";
  return null;
}

const problem = startupProblem(process.env);
if (problem) {
  process.stderr.write(`async-doctor: refusing to start: ${problem}\n`);
  process.exit(1);
}
if (!process.env.APP_ID || !(process.env.PRIVATE_KEY || process.env.PRIVATE_KEY_PATH)) {
  process.stderr.write(
    `async-doctor: no App credentials (APP_ID, PRIVATE_KEY): starting Probot's setup flow. Open http://${process.env.HOST ?? "localhost"}:${process.env.PORT ?? "3000"} to register the App from app.yml.\n`,
  );
} else if (!process.env.WEBHOOK_SECRET || process.env.WEBHOOK_SECRET === "development") {
  process.stderr.write(
    'async-doctor: ASYNC_DOCTOR_DEV=1: accepting webhooks signed with the secret "development". Never expose this server.\n',
  );
}
await run(app);
