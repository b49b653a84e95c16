/**
 * Dependencies from every manifest and lock format a Python project keeps: requirements and
 * constraints files, pyproject.toml (PEP 621, PEP 735 / uv dependency groups, Poetry, PDM),
 * setup.cfg, setup.py (its literal lists), Pipfile and the lock files (Pipfile.lock, poetry.lock, uv.lock, pdm.lock).
 * TOML through smol-toml; line numbers from an index of the text built once per file (linear).
 */
import { parse as parseToml } from "smol-toml";
import { Entries, firstAfter, LineIndex, MAX_MANIFEST_ENTRIES } from "./manifest-index.js";
import {
  type Dependency,
  declaredDependency,
  exactVersion,
  type ManifestKind,
  normalizeName,
  parseRequirement,
  readRequirements,
} from "./requirement.js";
import { MAX_SETUP_PY_BYTES, setupPyRequirements } from "./setup-py.js";

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
    case "setup.py":
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
  /** Why the manifest, or part of it, was not read (malformed TOML/JSON, too many entries), or null. */
  error: string | null;
}

type Table = Record<string, unknown>;
const isTable = (v: unknown): v is Table => typeof v === "object" && v !== null && !Array.isArray(v);

function fromStrings(file: string, list: unknown, out: Entries): void {
  if (!Array.isArray(list)) return;
  for (const raw of list) {
    if (typeof raw !== "string") continue;
    out.add(() => {
      const req = parseRequirement(raw);
      return req ? declaredDependency(req, file, out.index.stringLine(raw)) : null;
    });
  }
}

/** A Poetry/Pipfile table: `name = "^1.2"` or `name = { version = "...", extras = [...] }`. */
function fromTable(file: string, table: unknown, out: Entries): void {
  if (!isTable(table)) return;
  for (const [key, value] of Object.entries(table)) {
    if (normalizeName(key) === "python") continue;
    out.add(() => {
      const v = isTable(value) ? value.version : value;
      const spec = typeof v === "string" && v !== "*" ? v.replace(/\s+/g, "") : "";
      const extras =
        isTable(value) && Array.isArray(value.extras)
          ? value.extras.map((e) => normalizeName(String(e)))
          : [];
      const exact =
        /^\d/.test(spec) && !spec.includes("*") && !spec.includes(",") ? spec : exactVersion(spec);
      return {
        name: normalizeName(key),
        extras,
        spec,
        version: exact,
        locked: false,
        constraint: false,
        file,
        line: out.index.keyLine(key),
      };
    });
  }
}

function readPyproject(file: string, doc: Table, out: Entries): void {
  const project = isTable(doc.project) ? doc.project : {};
  fromStrings(file, project.dependencies, out);
  if (isTable(project["optional-dependencies"]))
    for (const list of Object.values(project["optional-dependencies"])) fromStrings(file, list, out);
  if (isTable(doc["dependency-groups"]))
    for (const list of Object.values(doc["dependency-groups"])) fromStrings(file, list, out);
  const tool = isTable(doc.tool) ? doc.tool : {};
  const poetry = isTable(tool.poetry) ? tool.poetry : {};
  fromTable(file, poetry.dependencies, out);
  fromTable(file, poetry["dev-dependencies"], out);
  if (isTable(poetry.group))
    for (const g of Object.values(poetry.group)) if (isTable(g)) fromTable(file, g.dependencies, out);
  const pdm = isTable(tool.pdm) ? tool.pdm : {};
  if (isTable(pdm["dev-dependencies"]))
    for (const list of Object.values(pdm["dev-dependencies"])) fromStrings(file, list, out);
  const uv = isTable(tool.uv) ? tool.uv : {};
  fromStrings(file, uv["dev-dependencies"], out);
}

/** `[[package]]` lock files (poetry.lock, uv.lock, pdm.lock): name and exact version. */
function readTomlLock(file: string, doc: Table, out: Entries): void {
  if (!Array.isArray(doc.package)) return;
  // Each package's `name = "x"` line after the previous package's, so that lines follow the entries.
  let after = 0;
  for (const p of doc.package) {
    if (!isTable(p) || typeof p.name !== "string" || typeof p.version !== "string") continue;
    const name = p.name;
    const version = p.version;
    out.add(() => {
      const line = firstAfter(out.index.lockNameLines(name), after) ?? 1;
      if (line > 1) after = line;
      return {
        name: normalizeName(name),
        extras: [],
        spec: `==${version}`,
        version,
        locked: true,
        constraint: false,
        file,
        line,
      };
    });
  }
}

function readPipfileLock(file: string, text: string, out: Entries): void {
  const doc = JSON.parse(text) as unknown;
  if (!isTable(doc)) return;
  for (const section of ["default", "develop"]) {
    const table = doc[section];
    if (!isTable(table)) continue;
    for (const [key, value] of Object.entries(table)) {
      if (!isTable(value) || typeof value.version !== "string") continue;
      const spec = value.version;
      out.add(() => {
        const version = exactVersion(spec);
        return {
          name: normalizeName(key),
          extras: [],
          spec,
          version,
          locked: version !== null,
          constraint: false,
          file,
          line: out.index.jsonKeyLine(key),
        };
      });
    }
  }
}

/** setup.cfg `[options] install_requires` and `[options.extras_require]`: indented lists. */
function readSetupCfg(file: string, lines: readonly string[], out: Entries): void {
  let section = "";
  let inList = false;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? "";
    const t = raw.trim();
    if (t.startsWith("[") && t.endsWith("]")) {
      section = t.slice(1, -1).trim();
      inList = false;
      continue;
    }
    if (!t || t.startsWith("#") || t.startsWith(";")) continue;
    const indented = raw.startsWith(" ") || raw.startsWith("\t");
    let value = t;
    if (!indented) {
      const eq = t.indexOf("=");
      const key = eq > 0 ? t.slice(0, eq).trim() : "";
      inList =
        (section === "options" && key === "install_requires") ||
        (section === "options.extras_require" && key !== "");
      if (!inList) continue;
      value = t.slice(eq + 1).trim();
      if (!value) continue;
    } else if (!inList) continue;
    const req = parseRequirement(value);
    if (req) out.add(() => declaredDependency(req, file, i + 1));
  }
}

/** Read one manifest (by its name). Never throws: malformed input is reported in `error`. */
export function readManifest(path: string, text: string): ManifestRead {
  const kind = manifestKind(path);
  return kind === null ? { deps: [], includes: [], error: null } : readManifestAs(kind, path, text);
}

/** What a manifest with more entries than are read says about the rest. */
export function droppedNote(dropped: number): string {
  return `more than ${MAX_MANIFEST_ENTRIES.toLocaleString("en")} entries: the first ${MAX_MANIFEST_ENTRIES.toLocaleString("en")} were read, ${dropped.toLocaleString("en")} more were not`;
}

/** Read a file as a manifest of `kind`, whatever its name (a `-r` include is a requirements file). */
export function readManifestAs(kind: ManifestKind, path: string, text: string): ManifestRead {
  if (text.length > MAX_MANIFEST_BYTES) return { deps: [], includes: [], error: "larger than 4 MiB" };
  if (kind === "requirements") {
    const r = readRequirements(
      path,
      text,
      baseName(path).toLowerCase().startsWith("constraints"),
      MAX_MANIFEST_ENTRIES,
    );
    return { deps: r.deps, includes: r.includes, error: r.dropped > 0 ? droppedNote(r.dropped) : null };
  }
  const lines = text.split(/\r\n|\r|\n/);
  const out = new Entries(new LineIndex(lines));
  try {
    switch (kind) {
      case "setup.cfg":
        readSetupCfg(path, lines, out);
        break;
      case "setup.py":
        if (text.length > MAX_SETUP_PY_BYTES) return { deps: [], includes: [], error: "larger than 512 KiB" };
        for (const r of setupPyRequirements(text)) {
          const req = parseRequirement(r.text);
          if (req) out.add(() => declaredDependency(req, path, r.line));
        }
        break;
      case "Pipfile.lock":
        readPipfileLock(path, text, out);
        break;
      case "Pipfile": {
        const doc = parseToml(text) as Table;
        fromTable(path, doc.packages, out);
        fromTable(path, doc["dev-packages"], out);
        break;
      }
      case "pyproject":
        readPyproject(path, parseToml(text) as Table, out);
        break;
      default:
        readTomlLock(path, parseToml(text) as Table, out);
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
  return { deps: out.deps, includes: [], error: out.dropped > 0 ? droppedNote(out.dropped) : null };
}
