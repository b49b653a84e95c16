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
import { UsageError } from "./args.js";
import type { FilterOptions } from "./path-filter.js";

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

/** A reader for one file on disk (`_extends` needs GitHub: not followed, see `cliConfig`). */
async function fileReader(file: string): Promise<ConfigReader> {
  const { ConfigContentError } = await import("../config/load.js");
  const { pyprojectConfigText } = await pyproject();
  return async () => {
    const text = readFileSync(file, "utf8");
    if (!isToml(file)) return text;
    const table = pyprojectConfigText(text);
    if (table === null) throw new ConfigContentError(`${basename(file)} has no [tool.async-doctor] table`);
    return table;
  };
}

/** A CLI run's settings: the configuration, its file, and what the file itself sets. */
export interface CliSettings extends ConfigResult {
  /** The file read (null: defaults). */
  file: string | null;
  /**
   * The folder its include / exclude globs are relative to: the repository folder above
   * `.github/async-doctor.yml`, or the folder of the pyproject.toml or other file (as ruff does).
   */
  base: string | null;
  /** `pull_requests.fail_on` as the file writes it (the command line's default is `any`). */
  failOn?: string;
  /** An `_extends` the command line cannot follow (the file's own settings apply). */
  notFollowed?: string;
}

/**
 * The paths a settings file picks for a scan: its include / exclude globs, relative to its folder,
 * and whether test files are analysed (the command line adds its own flags to this).
 */
export function settingsPaths(settings: CliSettings): FilterOptions {
  const pr = settings.config.pull_requests;
  return {
    include: pr.include,
    exclude: pr.exclude,
    gitignore: true,
    tests: pr.include_tests,
    ...(settings.base !== null ? { base: settings.base } : {}),
  };
}

/** The folder a configuration file's globs are relative to. */
export function configBase(file: string): string {
  const dir = dirname(resolve(file));
  return basename(dir) === ".github" && basename(file) === basename(CONFIG_PATH) ? dirname(dir) : dir;
}

/** The configuration for a CLI run, and where it came from (null: defaults). */
export async function cliConfig(explicit: string | null, root: string): Promise<CliSettings> {
  const file = explicit ?? (await findConfigFile(root));
  if (file === null) return { config: DEFAULT_CONFIG, error: null, file: null, base: null };
  if (explicit !== null) readFileSync(explicit); // an unreadable --config is a usage error
  const { loadConfig } = await import("../config/load.js");
  const loaded = await loadConfig(await fileReader(file), undefined, "ignore");
  const pr = loaded.raw?.pull_requests;
  const failOn =
    pr !== null && typeof pr === "object" && "fail_on" in pr && loaded.error === null
      ? String((pr as { fail_on: unknown }).fail_on)
      : undefined;
  return {
    config: loaded.config,
    error: loaded.error,
    file,
    base: configBase(file),
    ...(failOn !== undefined ? { failOn } : {}),
    ...(loaded.notFollowed !== undefined ? { notFollowed: loaded.notFollowed } : {}),
  };
}

/** A configuration file that does not validate: the command stops (exit 2) and says why. */
export function configProblem(s: CliSettings): string | null {
  return s.error === null ? null : `${s.file ?? "configuration"} is not valid:\n${s.error}`;
}

/**
 * A command's settings (`-c FILE`, else found from `start` upwards): an unreadable or invalid file
 * is a usage error (exit 2); an `_extends` the command line cannot follow is said on stderr.
 */
export async function commandSettings(
  explicit: string | null,
  start: string,
  stderr: { write(s: string): unknown },
): Promise<CliSettings> {
  const settings = await cliConfig(explicit, start).catch((e: unknown) => {
    throw new UsageError(
      `cannot read ${explicit}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  });
  const problem = configProblem(settings);
  if (problem !== null) throw new UsageError(problem);
  if (settings.notFollowed !== undefined)
    stderr.write(
      `async-doctor: ${settings.file}: _extends ${JSON.stringify(settings.notFollowed)} names another repository, which only the App can read: this file's own settings apply\n`,
    );
  return settings;
}
