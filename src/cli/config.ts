/**
 * The CLI's configuration: the same keys and loader as the App (config/load.ts), read from disk.
 * `--config FILE` names a YAML file or a `pyproject.toml`; without it, from the scanned root
 * upwards (stopping at the repository root, a folder with `.git`), the first folder with
 * `.github/async-doctor.yml` or a `pyproject.toml` that has a `[tool.async-doctor]` table gives
 * the settings (the YAML file first, as in the App).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { CONFIG_PATH, DEFAULT_CONFIG } from "../config/defaults.js";
import type { ConfigReader } from "../config/load.js";
import type { ConfigResult } from "../config/schema.js";

// The validator and the YAML and TOML parsers load only when there is a file to read.
const pyproject = () => import("../config/pyproject.js");

const isToml = (file: string) => file.endsWith(".toml");

async function hasToolTable(file: string): Promise<boolean> {
  try {
    const text = readFileSync(file, "utf8");
    if (!text.includes("async-doctor")) return false; // no table can be there
    return (await pyproject()).pyprojectConfigText(text) !== null;
  } catch {
    return true; // unreadable or invalid: reported when it is loaded
  }
}

export async function findConfigFile(start: string): Promise<string | null> {
  let dir = resolve(start);
  try {
    if (!statSync(dir).isDirectory()) dir = dirname(dir);
  } catch {
    dir = dirname(dir);
  }
  for (let i = 0; i < 64; i++) {
    const yml = join(dir, CONFIG_PATH);
    if (existsSync(yml)) return yml;
    const pyprojectFile = join(dir, "pyproject.toml");
    if (existsSync(pyprojectFile) && (await hasToolTable(pyprojectFile))) return pyprojectFile;
    if (existsSync(join(dir, ".git"))) return null;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
  return null;
}

/** A reader for one file on disk; `_extends` needs GitHub and is reported, not followed. */
async function fileReader(file: string): Promise<ConfigReader> {
  const { ConfigContentError } = await import("../config/load.js");
  const { pyprojectConfigText } = await pyproject();
  return async (ref) => {
    if (ref.repo !== undefined)
      throw new ConfigContentError(
        "_extends names another repository; only the App can follow it (ignored here)",
      );
    const text = readFileSync(file, "utf8");
    if (!isToml(file)) return text;
    const table = pyprojectConfigText(text);
    if (table === null) throw new ConfigContentError(`${basename(file)} has no [tool.async-doctor] table`);
    return table;
  };
}

/** The configuration for a CLI run, and where it came from (null: defaults). */
export async function cliConfig(
  explicit: string | null,
  root: string,
): Promise<ConfigResult & { file: string | null }> {
  const file = explicit ?? (await findConfigFile(root));
  if (file === null) return { config: DEFAULT_CONFIG, error: null, file: null };
  if (explicit !== null) readFileSync(explicit); // an unreadable --config is a usage error
  const { loadConfig } = await import("../config/load.js");
  return { ...(await loadConfig(await fileReader(file))), file };
}
