/** What the ssl-patched-late rule reads from a report: gevent's own list, TLS clients, an old gevent. */
import type { IssueEvidence } from "../../rule.js";
import { compareVersions, inRange, versionOf } from "../../text/versions.js";
import { patchesFirst } from "./patcher.js";

/** Patched first, yet gevent older than 1.2 on Python ≥ 3.6: gevent's own ssl predates that Python. */
export function oldGeventNewPython(ev: IssueEvidence): boolean {
  const py = ev.context.python;
  return (
    patchesFirst(ev) &&
    inRange(versionOf(ev, "gevent"), null, "1.1.99") === true &&
    py !== null &&
    compareVersions(py, "3.6") >= 0
  );
}

/** Clients whose TLS setup hits the recursion when `ssl` was patched late. */
export const TLS_CLIENTS = ["requests", "urllib3", "botocore", "boto3", "https", "ssl"];

/** The module list gevent prints after "Modules that had direct imports (NOT patched):". */
export function unpatchedModules(text: string): string[] {
  const i = text.indexOf("(NOT patched):");
  if (i < 0) return [];
  const out: string[] = [];
  for (const part of text.slice(i + 14).split("'")) {
    const name = part.trim().split(" ")[0] ?? "";
    if (/^[A-Za-z_][\w.]*$/.test(name) && name.length < 80 && !out.includes(name)) out.push(name);
    if (out.length >= 5) break;
  }
  return out;
}
