/**
 * What a folder scan concludes once its code is scanned: the code findings that calls elsewhere in
 * the same project settle, and the findings on manifest lines.
 */
import { join } from "node:path";
import type { RuleFilter } from "../diagnosis/engine.js";
import { withoutSettled } from "../diagnosis/findings.js";
import { isTestPath } from "../diagnosis/paths.js";
import { type CodeFacts, manifestFindings } from "../diagnosis/project/side.js";
import type { ProjectPatch } from "../diagnosis/rule.js";
import type { CodeFinding } from "../diagnosis/types.js";
import { ownerOf } from "./project-roots.js";
import { rel, type ScannedProject } from "./project-scan.js";

/** The code findings left once the calls each project makes elsewhere settle those a run gave. */
export function settled(projects: ScannedProject[], code: CodeFacts, findings: CodeFinding[]): CodeFinding[] {
  return withoutSettled(findings, code.calls, (call, file) => {
    const owner = ownerOf(projects, call);
    return owner !== undefined && owner === ownerOf(projects, file) && !isTestPath(rel(owner.root, call));
  });
}

/**
 * The project findings of the scanned folders (manifest lines), once the code is scanned: the
 * module-level patches it found count as ways the project runs patched.
 */
export function projectFindings(
  projects: ScannedProject[],
  code: CodeFacts,
  filter: RuleFilter,
): CodeFinding[] {
  const out: CodeFinding[] = [];
  for (const scanned of projects) {
    if (scanned.contextOnly) continue;
    const { root, project, files, graph } = scanned;
    // The code's patches and calls in this project's own modules; those of others say nothing here.
    const mine = (file: string) => ownerOf(projects, file) === scanned;
    const own = code.patches.filter((p) => mine(p.file)).map((p) => ({ ...p, file: rel(root, p.file) }));
    const seen = new Set<string>();
    const calls = code.calls
      .filter((c) => mine(c.file))
      .map((c) => ({ ...c, file: rel(root, c.file) }))
      .filter((c) => {
        const key = `${c.file}:${c.line}:${c.qualified}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    const importChain = (p: ProjectPatch, packages: ReadonlySet<string>) =>
      p.via === "code" ? graph.chainTo(p.file, p.line, packages) : null;
    // A folder scan reads every module (those left unparsed hold none of the calls asked for).
    const facts = { patches: own, calls, complete: true };
    for (const f of manifestFindings(project, files, facts, filter, importChain))
      out.push({
        ...f,
        file: join(root, f.file),
        ...(f.restsOn ? { restsOn: f.restsOn.map((r) => ({ ...r, file: join(root, r.file) })) } : {}),
      });
  }
  return out;
}
