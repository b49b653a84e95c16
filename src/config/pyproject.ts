/**
 * `[tool.async-doctor]` in `pyproject.toml`: the same keys as `.github/async-doctor.yml`
 * (`rules`, `pull_requests.include` / `exclude`, ...), for projects that keep their tools'
 * settings in one file. The table is handed to the one loader as JSON (which is YAML), so it is
 * checked and validated exactly like the YAML file.
 */
import { parse as parseToml } from "smol-toml";
import { ConfigContentError } from "./load.js";

/** pyproject.toml files larger than this are not read for settings. */
const MAX_PYPROJECT_BYTES = 1024 * 1024;

/** The `[tool.async-doctor]` table as JSON text, or null when the file has none. */
export function pyprojectConfigText(text: string): string | null {
  if (!text.includes("async-doctor")) return null;
  if (Buffer.byteLength(text, "utf8") > MAX_PYPROJECT_BYTES)
    throw new ConfigContentError(`pyproject.toml is larger than ${MAX_PYPROJECT_BYTES / 1024} KiB: not read`);
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text, { maxDepth: 32 }) as Record<string, unknown>;
  } catch (e) {
    throw new ConfigContentError(`pyproject.toml is not valid TOML: ${(e as Error).message.split("\n")[0]}`);
  }
  const tool = doc.tool;
  if (tool === null || typeof tool !== "object" || Array.isArray(tool)) return null;
  const table = (tool as Record<string, unknown>)["async-doctor"];
  if (table === undefined) return null;
  return JSON.stringify(table, (_k, v) => (typeof v === "bigint" ? Number(v) : v));
}
