/**
 * The project of a file named on the command line (pre-commit's per-file hook passes them): the
 * nearest folder above it with a manifest of its own (else the repository's top folder), whose
 * manifests and run configs give the file its context (pinned versions, how it runs), as a
 * folder scan would. Only the context: the manifests' own findings are the project hook's.
 */
import { existsSync, readdirSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import { marksRoot } from "../diagnosis/project/roots.js";
import { listPythonFiles } from "./fs-scan.js";
import type { FilterOptions } from "./path-filter.js";
import { splitProjects } from "./project-roots.js";
import { readProjectFiles, type ScannedProject } from "./project-scan.js";
import type { ScanReport } from "./source-file.js";

/** Folders looked at above a file for its project (a deeper tree is not a project layout). */
const MAX_UP = 32;

/**
 * The folder holding `file`'s project, absolute; null when there is none above it. `memo` keeps
 * each folder's answer, for many files in the same folders.
 */
export function projectHome(file: string, memo?: Map<string, string | null>): string | null {
  let dir = dirname(resolve(file));
  const seen: string[] = [];
  const answer = (home: string | null) => {
    for (const d of seen) memo?.set(d, home);
    return home;
  };
  for (let i = 0; i < MAX_UP; i++) {
    const known = memo?.get(dir);
    if (known !== undefined) return answer(known);
    seen.push(dir);
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch (e) {
      // A name not on disk (`--stdin-filename` of a new file): its folders above still count.
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") return answer(null);
    }
    if (names.some((n) => marksRoot(`${basename(dir)}/${n}`))) return answer(dir);
    if (names.includes(".git")) return answer(dir); // the repository's top: its run configs still apply
    const up = dirname(dir);
    if (up === dir) return answer(null);
    dir = up;
  }
  return null;
}

/**
 * The projects of the files named on the command line, read once per project folder: each file
 * maps to the project that owns it. `contextOnly` is set on them.
 */
export function fileProjects(
  files: readonly string[],
  filter: FilterOptions,
  report: ScanReport,
  projects: ScannedProject[],
): Map<string, ScannedProject> {
  const owners = new Map<string, ScannedProject>();
  const byHome = new Map<string, string[]>();
  const memo = new Map<string, string | null>();
  for (const f of files) {
    const home = projectHome(f, memo);
    if (home === null) continue;
    // The project's root as the file is written: relative names stay relative.
    const root = isAbsolute(f) ? home : relative(process.cwd(), home) || ".";
    const list = byHome.get(root) ?? [];
    list.push(f);
    byHome.set(root, list);
  }
  for (const [root, named] of byHome) {
    if (!existsSync(root)) continue;
    const projectFiles: string[] = [];
    // Listing the project's files; what it cannot read is the folder scan's to report, not this one's.
    listPythonFiles([root], [], projectFiles, { ...filter, include: [] });
    const relNamed = named.map((f) => (root === "." ? f : join(root, relative(root, f))));
    for (const part of splitProjects(root, projectFiles, relNamed)) {
      if (part.python.length === 0) continue;
      const scanned = readProjectFiles(part.root, part.projectFiles, part.python, report, filter.texts);
      scanned.contextOnly = true;
      projects.push(scanned);
      for (const f of part.python) owners.set(f, scanned);
    }
  }
  return owners;
}
