/** `scan --fix` and `scan --diff` on the command line: what is written or shown, and said. */
import { isAbsolute, relative, sep } from "node:path";
import type { CodeFinding } from "../diagnosis/types.js";
import { count } from "../report/terminal.js";
import { applyFixes, planFixes, unifiedDiff } from "./fix.js";
import type { Stream } from "./output.js";

interface Io {
  stdout: Stream;
  stderr: Stream;
}

/** A path as a diff names it: relative to the current folder when under it, `/` separators. */
function diffName(file: string): string {
  const rel = isAbsolute(file) ? relative(process.cwd(), file) : file;
  return (rel.startsWith("..") ? file : rel).split(sep).join("/");
}

/** `--diff`: the edits as one unified diff on stdout; exit 1 when there is any, else 0. */
export function showDiff(findings: CodeFinding[], io: Io): number {
  const plan = planFixes(findings);
  for (const f of plan.files) io.stdout.write(unifiedDiff(f, diffName(f.file)));
  for (const s of plan.skipped)
    io.stderr.write(
      `async-doctor: not in the diff: ${s.finding.file}:${s.finding.line} ${s.finding.rule}: ${s.reason}\n`,
    );
  const n = plan.files.reduce((k, f) => k + f.fixed.length, 0);
  io.stderr.write(
    `async-doctor: ${n === 0 ? "no exact fixes" : `${n} ${n === 1 ? "fix" : "fixes"} in ${count(plan.files.length, "file")}`}\n`,
  );
  return n > 0 ? 1 : 0;
}

/** `--fix`: write the edits; the findings left (those without an edit made) are returned. */
export function fixFindings(findings: CodeFinding[], io: Io): CodeFinding[] {
  const plan = planFixes(findings);
  const failed = applyFixes(plan);
  const notWritten = new Set(failed.map((f) => f.file));
  for (const f of failed) io.stderr.write(`async-doctor: cannot write ${f.file}: ${f.reason}\n`);
  for (const s of plan.skipped)
    io.stderr.write(
      `async-doctor: not fixed: ${s.finding.file}:${s.finding.line} ${s.finding.rule}: ${s.reason}\n`,
    );
  const edited = new Set<CodeFinding>();
  for (const f of plan.files) if (!notWritten.has(f.file)) for (const x of f.fixed) edited.add(x);
  // A pin raised in a manifest whose version a lock file holds: the finding stands until the
  // project re-locks, so it is still reported, and said.
  const relock = new Set<string>();
  const fixed = new Set<CodeFinding>();
  for (const f of edited) {
    const lock = f.fix?.relock;
    if (lock) relock.add(lock);
    else fixed.add(f);
  }
  if (fixed.size > 0) {
    const files = new Set([...fixed].map((f) => f.file)).size;
    io.stderr.write(`async-doctor: fixed ${count(fixed.size, "finding")} in ${count(files, "file")}\n`);
  }
  if (relock.size > 0)
    io.stderr.write(
      `async-doctor: pins raised, but ${[...relock].join(", ")} still ${relock.size === 1 ? "holds" : "hold"} the old versions: re-lock (pdm lock, poetry lock, uv lock, pipenv lock) to finish\n`,
    );
  return findings.filter((f) => !fixed.has(f));
}
