/**
 * Dependencies from every manifest and lock format a Python project keeps: requirements and
 * constraints files, pyproject.toml (PEP 621, PEP 735 / uv dependency groups, Poetry, PDM),
 * setup.cfg, Pipfile and the lock files (Pipfile.lock, poetry.lock, uv.lock, pdm.lock).
 * TOML through smol-toml; line numbers by a search of the text for the entry.
 */
import { parse as parseToml } from "smol-toml";
import {
  type Dependency,
  declaredDependency,
  exactVersion,
  type ManifestKind,
  normalizeName,
  parseRequirement,
  readRequirements,
} from "./requirement.js";

/** Manifests larger than this are skipped (lock files of big projects stay well below). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** The manifest kind of a path, or null. */
export function manifestKind(path: string): ManifestKind | null {
  const base = baseName(path);
  switch (base) {
    case "pyproject.toml":
      return "pyproject";
    case "setup.cfg":
    case "Pipfile":
    case "Pipfile.lock":
    case "poetry.lock":
    case "uv.lock":
    case "pdm.lock":
      return base;
  }
  const lower = base.toLowerCase();
  if (
    (lower.startsWith("requirements") || lower.startsWith("constraints")) &&
    (lower.endsWith(".txt") || lower.endsWith(".in"))
  )
    return "requirements";
  const parent = path.slice(0, Math.max(0, path.lastIndexOf("/")));
  if (baseName(parent).toLowerCase() === "requirements" && lower.endsWith(".txt")) return "requirements";
  return null;
}

export interface ManifestRead {
  deps: Dependency[];
  includes: { path: string; constraint: boolean; line: number }[];
  /** Why the manifest could not be read (malformed TOML/JSON), or null. */
  error: string | null;
}

/** The 1-based line of the first line that `pred` accepts, or 1. */
function lineWhere(lines: string[], pred: (trimmed: string) => boolean, from = 0): number {
  for (let i = from; i < lines.length; i++) if (pred((lines[i] ?? "").trim())) return i + 1;
  return 1;
}

/** Where a PEP 508 string naming `name` sits: the first line with a quote then the name. */
function stringLine(lines: string[], raw: string): number {
  const head = raw.trim().slice(0, 60);
  return lineWhere(lines, (t) => t.includes(`"${head}`) || t.includes(`'${head}`));
}

/** Where a `name = ...` table entry sits (Poetry, Pipfile). */
function keyLine(lines: string[], name: string): number {
  const n = normalizeName(name);
  return lineWhere(lines, (t) => {
    const eq = t.indexOf("=");
    if (eq <= 0) return false;
    const key = t
      .slice(0, eq)
      .trim()
      .replace(/^["']|["']$/g, "");
    return normalizeName(key) === n;
  });
}

type Table = Record<string, unknown>;
const isTable = (v: unknown): v is Table => typeof v === "object" && v !== null && !Array.isArray(v);

function fromStrings(file: string, lines: string[], list: unknown, out: Dependency[]): void {
  if (!Array.isArray(list)) return;
  for (const raw of list) {
    if (typeof raw !== "string") continue;
    const req = parseRequirement(raw);
    if (!req) continue;
    out.push(declaredDependency(req, file, stringLine(lines, raw)));
  }
}

/** A Poetry/Pipfile table: `name = "^1.2"` or `name = { version = "...", extras = [...] }`. */
function fromTable(file: string, lines: string[], table: unknown, out: Dependency[]): void {
  if (!isTable(table)) return;
  for (const [key, value] of Object.entries(table)) {
    if (normalizeName(key) === "python") continue;
    const v = isTable(value) ? value.version : value;
    const spec = typeof v === "string" && v !== "*" ? v.replace(/\s+/g, "") : "";
    const extras =
      isTable(value) && Array.isArray(value.extras) ? value.extras.map((e) => normalizeName(String(e))) : [];
    const exact = /^\d/.test(spec) && !spec.includes("*") && !spec.includes(",") ? spec : exactVersion(spec);
    out.push({
      name: normalizeName(key),
      extras,
      spec,
      version: exact,
      locked: false,
      constraint: false,
      file,
      line: keyLine(lines, key),
    });
  }
}

function readPyproject(file: string, doc: Table, lines: string[], out: Dependency[]): void {
  const project = isTable(doc.project) ? doc.project : {};
  fromStrings(file, lines, project.dependencies, out);
  if (isTable(project["optional-dependencies"]))
    for (const list of Object.values(project["optional-dependencies"])) fromStrings(file, lines, list, out);
  if (isTable(doc["dependency-groups"]))
    for (const list of Object.values(doc["dependency-groups"])) fromStrings(file, lines, list, out);
  const tool = isTable(doc.tool) ? doc.tool : {};
  const poetry = isTable(tool.poetry) ? tool.poetry : {};
  fromTable(file, lines, poetry.dependencies, out);
  fromTable(file, lines, poetry["dev-dependencies"], out);
  if (isTable(poetry.group))
    for (const g of Object.values(poetry.group)) if (isTable(g)) fromTable(file, lines, g.dependencies, out);
  const pdm = isTable(tool.pdm) ? tool.pdm : {};
  if (isTable(pdm["dev-dependencies"]))
    for (const list of Object.values(pdm["dev-dependencies"])) fromStrings(file, lines, list, out);
  const uv = isTable(tool.uv) ? tool.uv : {};
  fromStrings(file, lines, uv["dev-dependencies"], out);
}

/** `[[package]]` lock files (poetry.lock, uv.lock, pdm.lock): name and exact version. */
function readTomlLock(file: string, doc: Table, lines: string[], out: Dependency[]): void {
  if (!Array.isArray(doc.package)) return;
  // Each package's `name = "x"` line, in order, so that line numbers follow the entries.
  let from = 0;
  for (const p of doc.package) {
    if (!isTable(p) || typeof p.name !== "string" || typeof p.version !== "string") continue;
    const name = p.name;
    const line = lineWhere(lines, (t) => t === `name = "${name}"`, from);
    from = line;
    out.push({
      name: normalizeName(name),
      extras: [],
      spec: `==${p.version}`,
      version: p.version,
      locked: true,
      constraint: false,
      file,
      line,
    });
  }
}

function readPipfileLock(file: string, text: string, lines: string[], out: Dependency[]): void {
  const doc = JSON.parse(text) as unknown;
  if (!isTable(doc)) return;
  for (const section of ["default", "develop"]) {
    const table = doc[section];
    if (!isTable(table)) continue;
    for (const [key, value] of Object.entries(table)) {
      if (!isTable(value) || typeof value.version !== "string") continue;
      const version = exactVersion(value.version);
      out.push({
        name: normalizeName(key),
        extras: [],
        spec: value.version,
        version,
        locked: version !== null,
        constraint: false,
        file,
        line: lineWhere(lines, (t) => t.startsWith(`"${key}"`)),
      });
    }
  }
}

/** setup.cfg `[options] install_requires` and `[options.extras_require]`: indented lists. */
function readSetupCfg(file: string, lines: string[], out: Dependency[]): void {
  let section = "";
  let inList = false;
  lines.forEach((raw, i) => {
    const t = raw.trim();
    if (t.startsWith("[") && t.endsWith("]")) {
      section = t.slice(1, -1).trim();
      inList = false;
      return;
    }
    if (!t || t.startsWith("#") || t.startsWith(";")) return;
    const indented = raw.startsWith(" ") || raw.startsWith("\t");
    let value = t;
    if (!indented) {
      const eq = t.indexOf("=");
      const key = eq > 0 ? t.slice(0, eq).trim() : "";
      inList =
        (section === "options" && key === "install_requires") ||
        (section === "options.extras_require" && key !== "");
      if (!inList) return;
      value = t.slice(eq + 1).trim();
      if (!value) return;
    } else if (!inList) return;
    const req = parseRequirement(value);
    if (req) out.push(declaredDependency(req, file, i + 1));
  });
}

/** Read one manifest (by its name). Never throws: malformed input is reported in `error`. */
export function readManifest(path: string, text: string): ManifestRead {
  const kind = manifestKind(path);
  return kind === null ? { deps: [], includes: [], error: null } : readManifestAs(kind, path, text);
}

/** Read a file as a manifest of `kind`, whatever its name (a `-r` include is a requirements file). */
export function readManifestAs(kind: ManifestKind, path: string, text: string): ManifestRead {
  const out: ManifestRead = { deps: [], includes: [], error: null };
  if (text.length > MAX_MANIFEST_BYTES) return { ...out, error: "larger than 4 MiB" };
  const lines = text.split(/\r\n|\r|\n/);
  try {
    switch (kind) {
      case "requirements": {
        const r = readRequirements(path, text, baseName(path).toLowerCase().startsWith("constraints"));
        return { deps: r.deps, includes: r.includes, error: null };
      }
      case "setup.cfg":
        readSetupCfg(path, lines, out.deps);
        return out;
      case "Pipfile.lock":
        readPipfileLock(path, text, lines, out.deps);
        return out;
      case "Pipfile": {
        const doc = parseToml(text) as Table;
        fromTable(path, lines, doc.packages, out.deps);
        fromTable(path, lines, doc["dev-packages"], out.deps);
        return out;
      }
      case "pyproject":
        readPyproject(path, parseToml(text) as Table, lines, out.deps);
        return out;
      default:
        readTomlLock(path, parseToml(text) as Table, lines, out.deps);
        return out;
    }
  } catch (e) {
    return {
      deps: [],
      includes: [],
      error: `not valid ${kind === "Pipfile.lock" ? "JSON" : "TOML"}: ${String((e as Error).message ?? e)
        .split("\n")[0]
        ?.slice(0, 120)}`,
    };
  }
}
