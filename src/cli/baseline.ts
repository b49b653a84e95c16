/**
 * `scan --baseline FILE`: report only findings that a previous run did not. FILE is that run's
 * `--format json` output; a finding is known when its fingerprint (rule, path and the anchor
 * line's text: stable when lines move) is in it, or, for output without fingerprints, its rule,
 * file and line. Paths are compared as printed: run both scans from the same folder.
 */
import { readFileSync, statSync } from "node:fs";
import type { CodeFinding } from "../diagnosis/types.js";
import { UsageError } from "./args.js";

/** A baseline larger than this is not a scan's JSON output. */
const MAX_BASELINE_BYTES = 64 * 1024 * 1024;

export function readBaseline(file: string): (f: CodeFinding) => boolean {
  let raw: unknown;
  try {
    if (statSync(file).size > MAX_BASELINE_BYTES)
      throw new UsageError(`--baseline ${file} is larger than 64 MiB`);
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(
      `--baseline ${file}: ${(e as NodeJS.ErrnoException).code ?? "not JSON"} (give the output of \`scan --format json\`)`,
    );
  }
  const list = (raw as { findings?: unknown }).findings;
  if (!Array.isArray(list))
    throw new UsageError(
      `--baseline ${file} has no "findings" list (give the output of \`scan --format json\`)`,
    );
  const prints = new Set<string>();
  const places = new Set<string>();
  for (const x of list) {
    if (x === null || typeof x !== "object") continue;
    const f = x as Record<string, unknown>;
    if (typeof f.fingerprint === "string") prints.add(f.fingerprint);
    else if (typeof f.rule === "string" && typeof f.file === "string" && typeof f.line === "number")
      places.add(`${f.rule}\u0000${f.file}\u0000${f.line}`);
  }
  return (f) => prints.has(f.fingerprint) || places.has(`${f.rule}\u0000${f.file}\u0000${f.line}`);
}
