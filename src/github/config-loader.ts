/** Read `.github/async-doctor.yml` through Probot (default branch, org `.github` fallback, `_extends`). */
import type { Context } from "probot";
import { CONFIG_FILE, type Config, type ConfigResult, DEFAULT_CONFIG, parseConfig } from "./config.js";

export type { Config };

export async function loadConfig(context: Context): Promise<ConfigResult> {
  try {
    const raw = await context.config(CONFIG_FILE);
    return parseConfig(raw);
  } catch (e) {
    const status = (e as { status?: number }).status;
    // A YAML syntax error surfaces as a thrown error: report it, keep the defaults.
    if (status === undefined)
      return { config: DEFAULT_CONFIG, error: `- (file): ${(e as Error).message.split("\n")[0]}` };
    throw e;
  }
}
