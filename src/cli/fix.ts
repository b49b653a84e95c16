/**
 * `scan --fix` and `scan --diff`: the exact edits findings carry (whole lines replaced: a
 * `use_pure=True`, an `except` tuple, a pin in a manifest), applied to the files or shown as a
 * unified diff. A file changed since it was read, or two edits on the same lines, are left alone
 * and said; line endings are kept.
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { CodeFinding, Replacement } from "../diagnosis/types.js";

/** Lines of context around each change in a diff, as `diff -u` prints. */
const CONTEXT = 3;

export interface FilePlan {
  file: string;
  before: string;
  after: string;
  /** The findings whose edits it makes. */
  fixed: CodeFinding[];
}

export interface FixPlan {
  files: FilePlan[];
  /** Findings with an edit that was not made, and why. */
  skipped: { finding: CodeFinding; reason: string }[];
}

function splitLines(text: string): { lines: string[]; eol: string; finalEol: boolean } {
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const finalEol = text.endsWith("\n");
  const lines = text.split(/\r?\n/);
  if (finalEol) lines.pop();
  return { lines, eol, finalEol };
}

/** The edits of `findings`, file by file, checked against the files as they are now. */
export function planFixes(
  findings: readonly CodeFinding[],
  read = (f: string) => readFileSync(f, "utf8"),
): FixPlan {
  const byFile = new Map<string, CodeFinding[]>();
  for (const f of findings) {
    if (!f.fix) continue;
    const list = byFile.get(f.file) ?? [];
    list.push(f);
    byFile.set(f.file, list);
  }
  const plan: FixPlan = { files: [], skipped: [] };
  for (const [file, list] of byFile) {
    let before: string;
    try {
      before = read(file);
    } catch (e) {
      for (const finding of list)
        plan.skipped.push({
          finding,
          reason: `unreadable (${(e as NodeJS.ErrnoException).code ?? "error"})`,
        });
      continue;
    }
    const { lines, eol, finalEol } = splitLines(before);
    // Bottom up: an edit overlapping one already taken waits for the next run.
    const sorted = [...list].sort(
      (a, b) => (b.fix as Replacement).startLine - (a.fix as Replacement).startLine,
    );
    let floor = Number.POSITIVE_INFINITY;
    let taken: Replacement | null = null;
    const fixed: CodeFinding[] = [];
    /** Findings whose edit is one already taken (two findings, one fix): fixed by it. */
    const alike: CodeFinding[] = [];
    for (const finding of sorted) {
      const r = finding.fix as Replacement;
      if (r.startLine < 1 || r.endLine < r.startLine || r.endLine > lines.length) {
        plan.skipped.push({ finding, reason: "the file changed since it was read" });
        continue;
      }
      if (
        taken !== null &&
        r.startLine === taken.startLine &&
        r.endLine === taken.endLine &&
        r.text === taken.text
      ) {
        alike.push(finding);
        continue;
      }
      if (r.endLine >= floor) {
        plan.skipped.push({ finding, reason: "another fix edits the same lines (run --fix again)" });
        continue;
      }
      if (r.text === lines.slice(r.startLine - 1, r.endLine).join("\n")) continue; // already so
      floor = r.startLine;
      taken = r;
      fixed.push(finding);
    }
    if (fixed.length === 0) continue;
    // One pass over the lines, top down, replacing each chosen range.
    const out: string[] = [];
    let line = 1;
    for (const finding of [...fixed].reverse()) {
      const r = finding.fix as Replacement;
      for (; line < r.startLine; line++) out.push(lines[line - 1] as string);
      for (const t of r.text.split("\n")) out.push(t);
      line = r.endLine + 1;
    }
    for (; line <= lines.length; line++) out.push(lines[line - 1] as string);
    const after = out.join(eol) + (finalEol ? eol : "");
    fixed.reverse();
    for (const a of alike) fixed.push(a);
    plan.files.push({ file, before, after, fixed });
  }
  plan.files.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return plan;
}

/** Write the planned files; returns the ones that could not be written, with the reason. */
export function applyFixes(plan: FixPlan): { file: string; reason: string }[] {
  const failed: { file: string; reason: string }[] = [];
  for (const f of plan.files) {
    try {
      writeFileSync(f.file, f.after);
    } catch (e) {
      failed.push({ file: f.file, reason: (e as NodeJS.ErrnoException).code ?? (e as Error).message });
    }
  }
  return failed;
}

/**
 * A unified diff of one file's planned change (`--- a/FILE` / `+++ b/FILE`, as `git apply` and
 * `patch -p1` read it), built from the edits themselves (whole lines replaced), not by comparing
 * texts: linear in the file. Changes closer than twice the context share a hunk.
 */
export function unifiedDiff(plan: FilePlan, name = plan.file): string {
  const a = splitLines(plan.before).lines;
  const edits = plan.fixed.map((f) => f.fix as Replacement).sort((x, y) => x.startLine - y.startLine);
  const ops: { kind: " " | "-" | "+"; text: string }[] = [];
  let line = 1;
  for (const e of edits) {
    for (; line < e.startLine; line++) ops.push({ kind: " ", text: a[line - 1] as string });
    for (; line <= e.endLine; line++) ops.push({ kind: "-", text: a[line - 1] as string });
    for (const t of e.text.split("\n")) ops.push({ kind: "+", text: t });
  }
  for (; line <= a.length; line++) ops.push({ kind: " ", text: a[line - 1] as string });
  const out = [`--- a/${name}`, `+++ b/${name}`];
  // Old and new line numbers of ops[k], carried along (each op is counted once).
  let k = 0;
  let oldLine = 1;
  let newLine = 1;
  const advance = (to: number) => {
    for (; k < to; k++) {
      if (ops[k]?.kind !== "+") oldLine++;
      if (ops[k]?.kind !== "-") newLine++;
    }
  };
  while (k < ops.length) {
    let change = k;
    while (change < ops.length && ops[change]?.kind === " ") change++;
    if (change >= ops.length) break;
    advance(Math.max(k, change - CONTEXT));
    const from = k;
    let last = change;
    for (let m = change, same = 0; m < ops.length; m++) {
      if (ops[m]?.kind !== " ") {
        last = m;
        same = 0;
      } else if (++same > 2 * CONTEXT) break;
    }
    const to = Math.min(ops.length, last + 1 + CONTEXT);
    const oldStart = oldLine;
    const newStart = newLine;
    const body = ops.slice(from, to);
    const oldCount = body.filter((o) => o.kind !== "+").length;
    const newCount = body.filter((o) => o.kind !== "-").length;
    out.push(
      `@@ -${oldCount === 0 ? oldStart - 1 : oldStart},${oldCount} +${newCount === 0 ? newStart - 1 : newStart},${newCount} @@`,
    );
    for (const o of body) out.push(`${o.kind}${o.text}`);
    advance(to);
  }
  return `${out.join("\n")}\n`;
}
