/**
 * Context facts read from an issue text: platform, package versions, Python version and the
 * patcher in play. Each comes from its own reader; this module only composes them.
 */
import { detectPatchers, type PatcherFact } from "./patchers.js";
import { decidePlatform, type PlatformFact, platformHints } from "./platform.js";
import { pythonFromPaths, pythonFromText } from "./python-version.js";
import type { Traceback } from "./traceback.js";
import { inferTrioVersion, readVersions, type VersionFact } from "./versions.js";

export type { PatcherFact, PlatformFact, VersionFact };

export interface Context {
  platform: PlatformFact;
  versions: Map<string, VersionFact>;
  python: string | null;
  patchers: PatcherFact[];
}

export function readContext(
  lines: readonly string[],
  lower: readonly string[],
  tracebacks: readonly Traceback[],
): Context {
  const versions = readVersions(lines);
  if (!versions.has("trio")) {
    const inferred = inferTrioVersion(tracebacks);
    if (inferred) versions.set("trio", inferred);
  }
  const statedPython = versions.get("python")?.version ?? null;
  const python =
    (statedPython ? statedPython.split(".").slice(0, 2).join(".") : null) ??
    pythonFromText(lower) ??
    pythonFromPaths(tracebacks);
  return {
    platform: decidePlatform(platformHints(lower, tracebacks)),
    versions,
    python,
    patchers: detectPatchers(lower, tracebacks),
  };
}
