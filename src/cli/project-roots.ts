/**
 * The projects of one scanned folder (see diagnosis/project/roots.ts), and which one owns a file.
 * Roots are kept in the form the walk writes file paths (`join`-normalised, no trailing
 * separator), so ownership is a string-prefix test.
 */
import { isAbsolute, join, normalize, relative, sep } from "node:path";
import { projectRoots, RootIndex } from "../diagnosis/project/roots.js";
import type { ScannedProject } from "./project-scan.js";

/** Project-relative path with forward slashes. */
const rel = (root: string, path: string) => relative(root, path).split(sep).join("/");

/** `dir/` → `dir`, `./dir` → `dir`, `/` stays. */
function normalRoot(root: string): string {
  const n = normalize(root);
  const trimmed = n.replace(/[\\/]+$/, "");
  return trimmed === "" ? n : trimmed;
}

/** The project roots under one scanned folder, each with its project files and Python modules. */
export function splitProjects(
  root: string,
  projectFiles: readonly string[],
  python: readonly string[],
): { root: string; projectFiles: string[]; python: string[] }[] {
  const index = new RootIndex(projectRoots(projectFiles.map((p) => rel(root, p))));
  const groups = new Map<string, { root: string; projectFiles: string[]; python: string[] }>();
  const group = (owner: string) => {
    let g = groups.get(owner);
    if (!g) {
      g = { root: owner === "" ? normalRoot(root) : join(root, owner), projectFiles: [], python: [] };
      groups.set(owner, g);
    }
    return g;
  };
  for (const p of projectFiles) group(index.owner(rel(root, p))).projectFiles.push(p);
  for (const p of python) group(index.owner(rel(root, p))).python.push(p);
  return [...groups.values()];
}

/** The project that owns a file: the deepest scanned root above it (string prefixes, no path calls). */
export function ownerOf(projects: readonly ScannedProject[], file: string): ScannedProject | undefined {
  let best: ScannedProject | undefined;
  for (const p of projects) {
    // Roots are normalised (`join`), as the walk's file paths are: "." holds every relative path.
    const inside =
      p.root === "."
        ? !isAbsolute(file) && !file.startsWith("..")
        : file.startsWith(p.root) &&
          (p.root.endsWith(sep) || file[p.root.length] === sep || file[p.root.length] === "/");
    if (inside && (best === undefined || p.root.length > best.root.length)) best = p;
  }
  return best;
}
