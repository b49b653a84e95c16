/**
 * Where one project ends and another begins in a scanned tree: each folder that holds a project
 * manifest of its own (pyproject.toml, setup.cfg, setup.py, a Pipfile, a lock file, a requirements file
 * outside a `requirements/` folder) is a project root, and a file belongs to the nearest root
 * above it. A monorepo's sub-projects, or many repositories side by side, are then read apart:
 * one's run configs and dependencies say nothing about another's modules.
 */
import { baseName, manifestKind } from "./manifests.js";

const parentOf = (path: string) => path.slice(0, Math.max(0, path.lastIndexOf("/")));

/** Does this manifest make its folder a project root? */
export function marksRoot(path: string): boolean {
  const kind = manifestKind(path);
  if (kind === null) return false;
  // `requirements/base.txt` belongs to the folder above `requirements/`.
  return !(kind === "requirements" && baseName(parentOf(path)).toLowerCase() === "requirements");
}

/** The project roots of a tree (paths relative to the scanned folder, "" for the folder itself). */
export function projectRoots(projectFiles: readonly string[]): string[] {
  const roots = new Set<string>([""]);
  for (const f of projectFiles) if (marksRoot(f)) roots.add(parentOf(f));
  return [...roots].sort();
}

/** Assigns paths to the nearest project root above them, walking up folder by folder. */
export class RootIndex {
  private readonly roots: Set<string>;
  constructor(roots: readonly string[]) {
    this.roots = new Set(roots);
  }
  /** The root that owns `path` (a file or folder path relative to the scanned folder). */
  owner(path: string): string {
    let dir = parentOf(path);
    while (dir !== "" && !this.roots.has(dir)) dir = parentOf(dir);
    return dir;
  }
}
