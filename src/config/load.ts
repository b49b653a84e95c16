/**
 * The one configuration loader, for issues, pull requests and the CLI. It reads the file through
 * a `ConfigReader` (GitHub or the file system), parses the YAML, follows `_extends` (a bounded
 * chain, no cycles), merges (the extending file wins; lists are replaced, not joined) and
 * validates. Any problem is reported as a readable error and the defaults apply; it never throws
 * for bad content.
 */
import { parse as parseYaml } from "yaml";
import { yamlGuard } from "./guard.js";
import { CONFIG_PATH, type ConfigResult, parseConfig } from "./schema.js";

/** Where a configuration file is: a repository (absent: the one being configured) and a path. */
export interface ConfigRef {
  owner?: string;
  repo?: string;
  path: string;
}

/** Reads a configuration file's text; null when it does not exist. Throws only for I/O failures. */
export type ConfigReader = (ref: ConfigRef) => Promise<string | null>;

export { MAX_CONFIG_BYTES } from "./guard.js";

const MAX_EXTENDS = 5;

export class ConfigContentError extends Error {}

function parseText(text: string, where: string): Record<string, unknown> | null {
  const refused = yamlGuard(text);
  if (refused !== null) throw new ConfigContentError(`${where} is ${refused}: not read`);
  let raw: unknown;
  try {
    raw = parseYaml(text, { maxAliasCount: 100 });
  } catch (e) {
    throw new ConfigContentError(`${where} is not valid YAML: ${(e as Error).message.split("\n")[0]}`);
  }
  if (raw === null || raw === undefined) return null;
  if (typeof raw !== "object" || Array.isArray(raw))
    throw new ConfigContentError(`${where}: expected a mapping of settings`);
  return raw as Record<string, unknown>;
}

/** `_extends: .github`, `other-repo`, `owner/repo`, `repo:path/file.yml`, `owner/repo:path`. */
export function parseExtends(value: unknown, from: ConfigRef): ConfigRef {
  if (typeof value !== "string" || value.trim() === "" || value.length > 300)
    throw new ConfigContentError(
      "_extends must name a repository (`repo`, `owner/repo`, optionally `:path`)",
    );
  let spec = value.trim();
  let path = CONFIG_PATH;
  const colon = spec.indexOf(":");
  if (colon >= 0) {
    path = spec.slice(colon + 1);
    spec = spec.slice(0, colon);
  }
  const slash = spec.indexOf("/");
  const owner = slash >= 0 ? spec.slice(0, slash) : from.owner;
  const repo = slash >= 0 ? spec.slice(slash + 1) : spec;
  if (!repo || (owner !== undefined && owner === "") || repo.includes("/"))
    throw new ConfigContentError(`_extends: cannot read ${JSON.stringify(value)}`);
  return { ...(owner !== undefined ? { owner } : {}), repo, path };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Deep merge of mappings; `over` wins, lists and scalars replace. */
function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? merge(b, v) : v;
  }
  return out;
}

const refKey = (r: ConfigRef) => `${r.owner ?? ""}/${r.repo ?? ""}:${r.path}`;

/** Load, merge and validate the configuration that starts at `start`. */
export async function loadConfig(
  read: ConfigReader,
  start: ConfigRef = { path: CONFIG_PATH },
  /** `ignore`: `_extends` is not followed (the command line: another repository is out of reach). */
  extendsMode: "follow" | "ignore" = "follow",
): Promise<LoadedSettings> {
  const layers: Record<string, unknown>[] = [];
  let notFollowed: string | undefined;
  const seen = new Set<string>();
  let ref: ConfigRef | null = start;
  try {
    while (ref !== null) {
      if (seen.has(refKey(ref))) throw new ConfigContentError("_extends forms a cycle");
      if (seen.size >= MAX_EXTENDS)
        throw new ConfigContentError(`_extends is followed at most ${MAX_EXTENDS} times`);
      seen.add(refKey(ref));
      const text = await read(ref);
      if (text === null) {
        if (layers.length > 0) throw new ConfigContentError(`_extends: ${refKey(ref)} does not exist`);
        break;
      }
      const raw = parseText(
        text,
        layers.length === 0 ? "the configuration" : `the extended configuration ${refKey(ref)}`,
      );
      if (raw === null) break;
      const { _extends, ...rest } = raw;
      layers.push(rest);
      if (_extends !== undefined && extendsMode === "ignore") {
        notFollowed = typeof _extends === "string" ? _extends : JSON.stringify(_extends);
        break;
      }
      ref = _extends === undefined ? null : parseExtends(_extends, ref);
    }
  } catch (e) {
    if (!(e instanceof ConfigContentError)) throw e;
    return { ...parseConfig(null), error: `- (file): ${e.message}` };
  }
  if (layers.length === 0) return parseConfig(null);
  const raw = layers.reduceRight((acc, layer) => merge(acc, layer));
  return { ...parseConfig(raw), raw, ...(notFollowed !== undefined ? { notFollowed } : {}) };
}

/** A loaded configuration, with the settings as written (merged, before defaults). */
export interface LoadedSettings extends ConfigResult {
  raw?: Record<string, unknown>;
  /** The `_extends` value left unfollowed (`extendsMode: "ignore"`). */
  notFollowed?: string;
}
