/** Who the reporter is and what they use: repository context and the packages a thread shows. */
import type { FileFacts } from "../python/facts.js";
import { type IssueText, mentions } from "./evidence.js";
import { hasWordPrefix } from "./lines.js";
import { readState } from "./state.js";

/** Normalised package name: lowercase, `_` and `.` as `-`. */
export function normPackage(name: string): string {
  return name.toLowerCase().replace(/[_.]/g, "-");
}

/** The package a repository publishes, by its name (`PyMySQL/PyMySQL` -> `pymysql`). */
export function repoPackage(repo: string | null): string | null {
  if (!repo) return null;
  const name = repo.slice(repo.indexOf("/") + 1);
  return name ? normPackage(name) : null;
}

/**
 * Does the thread show the reporter using this package: a stated version, a traceback frame in
 * it, an import in a snippet, or a sentence that says they use it?
 */
export function usesPackage(ev: IssueText & { snippetFacts?: FileFacts[] }, pkg: string): boolean {
  const p = normPackage(pkg);
  if ([...ev.context.versions.keys()].some((k) => normPackage(k) === p)) return true;
  const mod = p.replace(/-/g, "_");
  if (ev.tracebacks.some((tb) => tb.frames.some((f) => normPackage(f.pkg) === p))) return true;
  if (ev.snippetFacts?.some((f) => f.imports.some((i) => i.module.toLowerCase().split(".")[0] === mod)))
    return true;
  if (!mentions(ev, p)) return false; // one remembered pass before any sentence is read
  // Someone saying they use it ("we use PyMySQL", "I switched to PyMySQL"), not advice to try it.
  return readState(ev).tried.some((s) => hasWordPrefix(s.text, p));
}
