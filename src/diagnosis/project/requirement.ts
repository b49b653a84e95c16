/**
 * One requirement as the manifests name it, and the line-by-line reader of PEP 508 strings
 * and requirements files. Linear in the input; no regex over user text beyond single tokens.
 */

export type ManifestKind =
  | "requirements"
  | "pyproject"
  | "setup.cfg"
  | "setup.py"
  | "Pipfile"
  | "Pipfile.lock"
  | "poetry.lock"
  | "uv.lock"
  | "pdm.lock";

export interface Dependency {
  /** Normalised (PEP 503): lowercase, runs of `-_.` as one `-`. */
  name: string;
  /** The version specifier as written (`>=1.0,<2`, `==1.0.5`), or "" for any. */
  spec: string;
  extras: string[];
  /** The exact version: pinned with `==`/`===` or locked. */
  version: string | null;
  /** From a lock file (the version that is installed). */
  locked: boolean;
  /** A constraints file names it: it limits the version but does not install it. */
  constraint: boolean;
  file: string;
  /** 1-based line of the manifest that names it. */
  line: number;
}

/** PEP 503 normalisation. */
export function normalizeName(name: string): string {
  let out = "";
  let sep = false;
  for (const ch of name.toLowerCase()) {
    if (ch === "-" || ch === "_" || ch === ".") sep = true;
    else {
      if (sep && out) out += "-";
      sep = false;
      out += ch;
    }
  }
  return out;
}

function isNameChar(c: string): boolean {
  return (
    (c >= "a" && c <= "z") ||
    (c >= "A" && c <= "Z") ||
    (c >= "0" && c <= "9") ||
    c === "-" ||
    c === "_" ||
    c === "."
  );
}

/** The exact version of a `==X` / `===X` specifier (no wildcard), or null. */
export function exactVersion(spec: string): string | null {
  const s = spec.trim();
  if (s.includes(",")) return null;
  const v = s.startsWith("===") ? s.slice(3) : s.startsWith("==") ? s.slice(2) : null;
  if (v === null) return null;
  const t = v.trim();
  return t && !t.includes("*") && !t.includes(" ") ? t : null;
}

export interface Requirement {
  name: string;
  extras: string[];
  spec: string;
}

const MAX_REQUIREMENT = 500;
/** Longer than any real distribution name: a line like that is not a requirement. */
const MAX_NAME = 128;

/**
 * A PEP 508 requirement string (`httpx[http2]>=0.24 ; python_version>"3.8"`), or null when it
 * is not one (an option, a path, a URL without a name).
 */
export function parseRequirement(raw: string): Requirement | null {
  const s = raw.length > MAX_REQUIREMENT ? raw.slice(0, MAX_REQUIREMENT) : raw;
  let i = 0;
  while (i < s.length && (s[i] === " " || s[i] === "\t")) i++;
  const start = i;
  while (i < s.length && isNameChar(s[i] as string)) i++;
  const name = s.slice(start, i);
  if (!name || name.length > MAX_NAME || !/^[A-Za-z0-9]/.test(name) || !/[A-Za-z0-9]$/.test(name))
    return null;
  while (s[i] === " ") i++;
  const extras: string[] = [];
  if (s[i] === "[") {
    const close = s.indexOf("]", i);
    if (close < 0) return null;
    for (const e of s.slice(i + 1, close).split(",")) if (e.trim()) extras.push(normalizeName(e.trim()));
    i = close + 1;
  }
  let rest = s.slice(i);
  const marker = rest.indexOf(";");
  if (marker >= 0) rest = rest.slice(0, marker);
  rest = rest.trim();
  if (rest.startsWith("@")) return { name: normalizeName(name), extras, spec: "" }; // direct URL
  if (rest.startsWith("(") && rest.endsWith(")")) rest = rest.slice(1, -1).trim();
  if (rest && !"<>=!~".includes(rest[0] as string)) return null;
  return { name: normalizeName(name), extras, spec: rest.replace(/\s+/g, "") };
}

/** A declared dependency (not locked) from a parsed requirement. */
export function declaredDependency(
  req: Requirement,
  file: string,
  line: number,
  constraint = false,
): Dependency {
  return { ...req, version: exactVersion(req.spec), locked: false, constraint, file, line };
}

export interface RequirementsFile {
  deps: Dependency[];
  /** `-r` / `-c` includes, relative to the file, with whether they are constraints. */
  includes: { path: string; constraint: boolean; line: number }[];
  /** Requirements past `max` (counted, not read). */
  dropped: number;
}

/**
 * A pip requirements or constraints file: one requirement per logical line (`\` continues),
 * `#` comments, options skipped, `-r`/`-c` includes returned for the caller to resolve. At most
 * `max` requirements are read (the rest are counted in `dropped`).
 */
export function readRequirements(
  file: string,
  text: string,
  constraint: boolean,
  max = Number.POSITIVE_INFINITY,
): RequirementsFile {
  const out: RequirementsFile = { deps: [], includes: [], dropped: 0 };
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const startLine = i + 1;
    // Continuations are gathered and joined once, never re-copied line by line.
    let part = lines[i] ?? "";
    const parts: string[] = [];
    while (part.endsWith("\\") && i + 1 < lines.length) {
      parts.push(part.slice(0, -1));
      part = lines[++i] ?? "";
    }
    parts.push(part);
    let line = parts.length === 1 ? part : parts.join(" ");
    const hash = line.startsWith("#") ? 0 : line.indexOf(" #");
    if (hash >= 0) line = line.slice(0, hash);
    // Per-requirement options (`--hash=...`, `--config-settings`) follow the requirement.
    const option = line.indexOf(" --");
    if (option > 0) line = line.slice(0, option);
    line = line.trim();
    if (!line) continue;
    if (line.startsWith("-")) {
      const include = includeOf(line);
      if (include && out.includes.length < MAX_INCLUDES) out.includes.push({ ...include, line: startLine });
      continue;
    }
    const req = parseRequirement(line);
    if (!req) continue;
    if (out.deps.length >= max) out.dropped++;
    else out.deps.push(declaredDependency(req, file, startLine, constraint));
  }
  return out;
}

/** `-r`/`-c` includes followed from one file. */
const MAX_INCLUDES = 100;

function includeOf(line: string): { path: string; constraint: boolean } | null {
  for (const [flag, constraint] of [
    ["--requirement", false],
    ["--constraint", true],
    ["-r", false],
    ["-c", true],
  ] as const) {
    if (!line.startsWith(flag)) continue;
    const rest = line.slice(flag.length);
    const path = (rest.startsWith("=") ? rest.slice(1) : rest).trim();
    if (path && (flag.length === 2 || rest.startsWith("=") || rest.startsWith(" ")))
      return { path, constraint };
  }
  return null;
}
