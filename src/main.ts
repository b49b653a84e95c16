/**
 * `npm start`: run the App with Probot's server. In production it refuses to start without
 * credentials and a webhook secret; elsewhere, with no credentials, Probot's setup flow starts
 * (register the App from app.yml in the browser).
 */
import { run } from "probot";
import app from "./index.js";

export function productionProblem(env: NodeJS.ProcessEnv): string | null {
  if (env.NODE_ENV !== "production") return null;
  if (!env.WEBHOOK_SECRET)
    return 'WEBHOOK_SECRET is not set (without it Probot would accept webhooks signed with the secret "development")';
  if (!env.APP_ID) return "APP_ID is not set";
  if (!env.PRIVATE_KEY && !env.PRIVATE_KEY_PATH) return "neither PRIVATE_KEY nor PRIVATE_KEY_PATH is set";
  return null;
}

const problem = productionProblem(process.env);
if (problem) {
  process.stderr.write(`async-doctor: refusing to start in production: ${problem}\n`);
  process.exit(1);
}
if (!process.env.APP_ID || !(process.env.PRIVATE_KEY || process.env.PRIVATE_KEY_PATH)) {
  process.stderr.write(
    `async-doctor: no App credentials (APP_ID, PRIVATE_KEY): starting Probot's setup flow. Open http://${process.env.HOST ?? "localhost"}:${process.env.PORT ?? "3000"} to register the App from app.yml.\n`,
  );
} else if (!process.env.WEBHOOK_SECRET) {
  process.stderr.write(
    'async-doctor: WEBHOOK_SECRET is not set: Probot falls back to the secret "development". Set it before exposing this server.\n',
  );
}
await run(app);
