/**
 * Path globs for the configuration (`pull_requests.include` / `exclude`) and the CLI's
 * `--exclude`, matched with picomatch everywhere: `**`, `*`, `?`, `{a,b}` (nested too), character
 * classes. Paths are relative to the repository (or scanned) root with `/` separators; dot files
 * match like any other.
 */
import picomatch from "picomatch";

const OPTIONS: picomatch.PicomatchOptions = { dot: true };

/** Longest glob accepted (a config comes from strangers). */
export const MAX_GLOB_LENGTH = 500;

/** Why a glob cannot be used, or null when it can. */
export function globProblem(glob: string): string | null {
  if (glob.length > MAX_GLOB_LENGTH) return `longer than ${MAX_GLOB_LENGTH} characters`;
  try {
    picomatch.makeRe(glob, OPTIONS);
    return null;
  } catch (e) {
    return `not a valid glob (${(e as Error).message.split("\n")[0]})`;
  }
}

/** True for a path any of the globs match. */
export function anyGlob(globs: readonly string[]): (path: string) => boolean {
  if (globs.length === 0) return () => false;
  const test = picomatch([...globs], OPTIONS);
  return (path) => test(path.replace(/\\/g, "/").replace(/^\.\//, ""));
}

/** Files to analyse: matched by an include glob and by no exclude glob. */
export function matcher(include: readonly string[], exclude: readonly string[]): (path: string) => boolean {
  const inc = anyGlob(include);
  const exc = anyGlob(exclude);
  return (path) => inc(path) && !exc(path);
}
