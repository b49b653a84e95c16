/**
 * The CLI's configuration: the same file and loader as the App (config/load.ts), read from disk.
 * Without `--config`, `.github/async-doctor.yml` is looked up from the directory of the first
 * path upwards, stopping at the repository root (a folder with `.git`).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { ConfigContentError, type ConfigReader, loadConfig } from "../config/load.js";
import { CONFIG_PATH, type ConfigResult, parseConfig } from "../config/schema.js";

export function findConfigFile(start: string): string | null {
  let dir = resolve(start);
  try {
    if (!statSync(dir).isDirectory()) dir = dirname(dir);
  } catch {
    dir = dirname(dir);
  }
  for (let i = 0; i < 64; i++) {
    const candidate = join(dir, CONFIG_PATH);
    if (existsSync(candidate)) return candidate;
    if (existsSync(join(dir, ".git"))) return null;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
  return null;
}

/** A reader for one file on disk; `_extends` needs GitHub and is reported, not followed. */
function fileReader(file: string): ConfigReader {
  return async (ref) => {
    if (ref.repo !== undefined)
      throw new ConfigContentError(
        "_extends names another repository; only the App can follow it (ignored here)",
      );
    return readFileSync(file, "utf8");
  };
}

/** The configuration for a CLI run, and where it came from (null: defaults). */
export async function cliConfig(
  explicit: string | null,
  firstPath: string,
): Promise<ConfigResult & { file: string | null }> {
  const file = explicit ?? findConfigFile(firstPath);
  if (file === null) return { ...parseConfig(null), file: null };
  return { ...(await loadConfig(fileReader(file))), file };
}
