/**
 * Which files a scan leaves out besides virtualenvs and tool folders: what `.gitignore` files
 * ignore (the `ignore` package; one per folder, as git reads them), the configuration's
 * `pull_requests.include` / `exclude` globs (picomatch), relative to the settings file's folder
 * (`base`, as ruff does: `scan vendor` leaves out what `exclude: ["vendor/**"]` leaves out of
 * `scan .`), and `--exclude` globs, relative to the scanned folder (or, for a file named on the
 * command line, to the current folder).
 */
import { readFileSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import ignore, { type Ignore } from "ignore";
import { anyGlob } from "../config/globs.js";

/** Larger .gitignore files are not read. */
const MAX_GITIGNORE_BYTES = 1024 * 1024;

export interface FilterOptions {
  /** The settings file's globs, relative to `base` (when given; else to the scanned folder). */
  include: readonly string[];
  exclude: readonly string[];
  base?: string;
  /** `--exclude` globs: relative to the scanned folder. */
  extraExclude?: readonly string[];
  gitignore: boolean;
  /** Also read files whose only interest is a suppression comment (to report unused ones). */
  suppressions?: boolean;
  /** Analyse test files (default true); when false they are counted, not read. */
  tests?: boolean;
  /**
   * Texts that stand in for manifests and run configs on disk, by absolute path: an editor's
   * unsaved buffers (the language server).
   */
  texts?: ReadonlyMap<string, string>;
}

/** Folders a walk never enters: tools' caches, virtual environments, version control. */
export const SKIP_DIRS = new Set([
  ".git",
  "node_modules",
  "__pycache__",
  ".tox",
  ".nox",
  ".mypy_cache",
  ".pytest_cache",
  "site-packages",
  ".venv",
  ".eggs",
  "venv",
  ".hg",
  ".svn",
]);

export const NO_FILTER: FilterOptions = { include: [], exclude: [], gitignore: false };

export class PathFilter {
  private readonly ignores = new Map<string, Ignore>();
  private readonly included: (rel: string) => boolean;
  private readonly excluded: (rel: string) => boolean;

  constructor(
    private readonly root: string,
    private readonly options: FilterOptions,
  ) {
    // The scanned folder as the settings file's folder sees it ("" when they are one).
    const fromBase =
      options.base === undefined ? "" : relative(resolve(options.base), resolve(root)).split(sep).join("/");
    const prefix = fromBase.startsWith("..") ? "" : fromBase;
    const inBase = prefix === "" ? (rel: string) => rel : (rel: string) => `${prefix}/${rel}`;
    const inc = anyGlob(options.include);
    const exc = anyGlob(options.exclude);
    const extra = anyGlob(options.extraExclude ?? []);
    this.included = options.include.length === 0 ? () => true : (rel) => inc(inBase(rel));
    this.excluded = (rel) => exc(inBase(rel)) || extra(rel);
  }

  /** Entering a folder that has a `.gitignore` (`rel` to the root, "" for the root): read it. */
  enter(rel: string): void {
    if (!this.options.gitignore) return;
    let text: string;
    try {
      const buf = readFileSync(join(this.root, rel, ".gitignore"));
      if (buf.length > MAX_GITIGNORE_BYTES) return;
      text = buf.toString("utf8");
    } catch {
      return;
    }
    this.ignores.set(rel, ignore().add(text));
  }

  /** Whether a Python file at `rel` is one to analyse (the include globs). */
  analyses(rel: string): boolean {
    return this.included(rel);
  }

  /** Whether the file or folder at `rel` (`/` separators) is left out (excluded or ignored). */
  skips(rel: string, isDir: boolean): boolean {
    if (rel === "") return false;
    if (this.excluded(rel) || (isDir && this.excluded(`${rel}/`))) return true;
    // Only the folders above `rel` can ignore it: look their .gitignore up, nearest first.
    if (this.ignores.size === 0) return false;
    for (let dir = rel; dir !== ""; ) {
      const cut = dir.lastIndexOf("/");
      dir = cut < 0 ? "" : dir.slice(0, cut);
      const ig = this.ignores.get(dir);
      const sub = dir === "" ? rel : rel.slice(dir.length + 1);
      if (ig?.ignores(isDir ? `${sub}/` : sub)) return true;
    }
    return false;
  }
}
