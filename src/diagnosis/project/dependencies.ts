/**
 * A project's dependencies merged over its manifests: what is declared where, and the version
 * that is installed when a lock file or a pin says so. A lock file's exact version wins over a
 * range; a constraints file limits a version but does not add a dependency.
 */
import { satisfies } from "@renovatebot/pep440";
import { manifestKind, readManifest, readManifestAs } from "./manifests.js";
import { type Dependency, normalizeName } from "./requirement.js";

export interface ManifestProblem {
  file: string;
  reason: string;
}

/** The version of a package and where it was read from ("uv.lock locks httpcore 1.0.5"). */
export interface VersionFact {
  name: string;
  version: string;
  locked: boolean;
  file: string;
  line: number;
}

export class Dependencies {
  private readonly byName = new Map<string, Dependency[]>();

  constructor(
    readonly all: readonly Dependency[],
    readonly problems: readonly ManifestProblem[] = [],
  ) {
    for (const d of all) {
      const list = this.byName.get(d.name);
      if (list) list.push(d);
      else this.byName.set(d.name, [d]);
    }
  }

  /** Declared (not only constrained) or locked. */
  has(name: string): boolean {
    return (this.byName.get(normalizeName(name)) ?? []).some((d) => !d.constraint);
  }

  /** Any entry naming it, declarations first: the line to point at. */
  entry(name: string): Dependency | undefined {
    const list = this.byName.get(normalizeName(name)) ?? [];
    return list.find((d) => !d.locked && !d.constraint) ?? list.find((d) => !d.constraint) ?? list[0];
  }

  /** A declaration asks for the extra (`httpx[trio]`). */
  hasExtra(name: string, extra: string): boolean {
    return (this.byName.get(normalizeName(name)) ?? []).some((d) => d.extras.includes(extra));
  }

  /** The exact version and its source: a lock wins, then a pin (`==`), then a constrained pin. */
  version(name: string): VersionFact | null {
    const list = this.byName.get(normalizeName(name)) ?? [];
    const pick =
      list.find((d) => d.locked && d.version) ??
      list.find((d) => !d.constraint && d.version) ??
      list.find((d) => d.version);
    return pick?.version
      ? { name: pick.name, version: pick.version, locked: pick.locked, file: pick.file, line: pick.line }
      : null;
  }

  /** Does the exact version (locked or pinned) fall in `range`? null when no exact version is known. */
  inRange(name: string, range: string): boolean | null {
    const v = this.version(name);
    return v ? versionIn(v.version, range) : null;
  }
}

const built = new WeakMap<readonly Dependency[], Dependencies>();

/** The Dependencies of a plain list (as a module's context carries it across threads), built once. */
export function dependenciesOf(list: readonly Dependency[]): Dependencies {
  let d = built.get(list);
  if (d === undefined) {
    d = new Dependencies(list);
    built.set(list, d);
  }
  return d;
}

/** `version` satisfies the PEP 440 `range`; null when either does not parse. */
export function versionIn(version: string, range: string): boolean | null {
  try {
    return satisfies(version, range);
  } catch {
    return null;
  }
}

/** Join a relative include path to the including file's folder, normalising `.` and `..`. */
export function joinPath(from: string, rel: string): string {
  const parts = from.split("/").slice(0, -1);
  for (const p of rel.split("/")) {
    if (p === "" || p === ".") continue;
    if (p === "..") parts.pop();
    else parts.push(p);
  }
  return parts.join("/");
}

/** What a manifest left unread when the project's reading ran out of its time budget says. */
export const OVER_BUDGET = "not read: reading the project's manifests stopped at its time budget";

/**
 * Read every manifest of a project: `files` maps project-relative paths to their text. `-r` and
 * `-c` includes are followed (once each) even when the included file has another name. Past
 * `deadline` (a `performance.now()` time), the manifests not yet read are listed as problems.
 */
export function readDependencies(
  files: ReadonlyMap<string, string>,
  deadline = Number.POSITIVE_INFINITY,
): Dependencies {
  const deps: Dependency[] = [];
  const problems: ManifestProblem[] = [];
  const seen = new Set<string>();
  const queue: { path: string; constraint: boolean | null }[] = [];
  for (const path of [...files.keys()].sort()) if (manifestKind(path)) queue.push({ path, constraint: null });
  while (queue.length > 0) {
    const { path, constraint } = queue.shift() as { path: string; constraint: boolean | null };
    if (seen.has(path)) continue;
    seen.add(path);
    const text = files.get(path);
    if (text === undefined) continue;
    if (performance.now() > deadline) {
      problems.push({ file: path, reason: OVER_BUDGET });
      continue;
    }
    // A file included with `-r`/`-c` reads as a requirements file whatever its name.
    const r =
      constraint === null || manifestKind(path) === "requirements"
        ? readManifest(path, text)
        : readManifestAs("requirements", path, text);
    if (r.error) problems.push({ file: path, reason: r.error });
    for (const d of r.deps) deps.push({ ...d, file: path, constraint: d.constraint || constraint === true });
    for (const inc of r.includes) queue.push({ path: joinPath(path, inc.path), constraint: inc.constraint });
  }
  return new Dependencies(deps, problems);
}
