/** `async-doctor scan`: files and folders on disk, with the repository's settings. */
import { existsSync } from "node:fs";
import { globProblem } from "../config/globs.js";
import { ruleFilter } from "../config/rule-filter.js";
import { RULE_IDS } from "../diagnosis/catalog.js";
import { isTestPath } from "../diagnosis/paths.js";
import type { UnusedIgnore } from "../diagnosis/suppressions.js";
import type { CodeFinding } from "../diagnosis/types.js";
import { toSarif, UNUSED_IGNORE } from "../report/sarif.js";
import { count, renderScanText, renderWorkflowCommands, scanSummary } from "../report/terminal.js";
import { VERSION } from "../version.js";
import { listValue, type Parsed, UsageError } from "./args.js";
import { cliConfig, configNote, configProblem } from "./config.js";
import { colourFor, painter, progress, type Stream } from "./output.js";
import { scanPathsParallel } from "./scan-pool.js";

export interface Io {
  stdout: Stream;
  stderr: Stream;
}

/** The part of `file` below the scanned path that holds it (the file itself when given alone). */
function underRoot(file: string, roots: string[]): string {
  for (const root of roots) {
    const r = root.endsWith("/") ? root : `${root}/`;
    if (file.startsWith(r)) return file.slice(r.length);
  }
  return file;
}

/** Exit status for the findings: `any` (default), `high` or `never` (`--exit-zero`). */
export function exitFor(findings: { confidence: string }[], failOn: string): number {
  if (failOn === "never") return 0;
  if (failOn === "high") return findings.some((f) => f.confidence === "high") ? 1 : 0;
  return findings.length > 0 ? 1 : 0;
}

/** `--exit-zero`, else `--fail-on`, else the settings file's `pull_requests.fail_on`, else `any`. */
function failOnOf(values: Parsed["values"], fromFile?: string): string {
  const failOn = values["exit-zero"] === true ? "never" : String(values["fail-on"] ?? fromFile ?? "any");
  if (!["any", "high", "never"].includes(failOn))
    throw new UsageError(`--fail-on takes any, high or never, not '${failOn}'`);
  return failOn;
}

/** An unused suppression, as a finding of the pseudo-rule `unused-ignore` (medium: never fails `--fail-on high`). */
function unusedIgnoreFinding(u: UnusedIgnore & { path: string }): CodeFinding {
  const comment = `# async-doctor: ${u.file ? "ignore-file" : "ignore"}${u.rule === "*" ? "" : `[${u.rule}]`}`;
  const text =
    u.reason === "unknown rule"
      ? `\`${comment}\` names no rule of async-doctor`
      : `\`${comment}\` silences nothing`;
  return {
    rule: UNUSED_IGNORE,
    confidence: "medium",
    message: text,
    file: u.path,
    line: u.line,
    column: 1,
    endLine: u.line,
    endColumn: 1,
    fingerprint: `${UNUSED_IGNORE}:${u.path}:${u.line}:${u.rule}`,
  } as CodeFinding;
}

export async function scanCommand({ positionals, values }: Parsed, io: Io): Promise<number> {
  const format = String(values.format ?? "text");
  failOnOf(values); // a wrong --fail-on is a usage error before anything is read
  const paths = positionals.length > 0 ? positionals : ["."];
  // A path that does not exist is a mistake in the command, not an empty result.
  const missing = paths.filter((p) => !existsSync(p));
  if (missing.length > 0)
    throw new UsageError(`no such file or folder: ${missing.map((p) => JSON.stringify(p)).join(", ")}`);
  // Not split at commas: a glob may hold `{a,b}`.
  const excludes = Array.isArray(values.exclude) ? values.exclude.map(String) : [];
  for (const g of excludes) {
    const problem = globProblem(g);
    if (problem !== null) throw new UsageError(`--exclude ${JSON.stringify(g)} is ${problem}`);
  }
  const explicit = typeof values.config === "string" ? values.config : null;
  const settings = await cliConfig(explicit, paths[0] as string).catch((e: unknown) => {
    throw new UsageError(
      `cannot read ${explicit}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  });
  const problem = configProblem(settings);
  if (problem !== null) throw new UsageError(problem);
  const note = configNote(settings);
  if (note !== null) io.stderr.write(`async-doctor: ${note}\n`);
  const { config } = settings;
  const failOn = failOnOf(values, settings.failOn);
  const filter = ruleFilter(config, listValue(values.disable));
  const disabled = RULE_IDS.filter((id) => !filter.enabled?.(id));
  const reportUnused = values["report-unused-ignores"] === true;
  const bar = progress(io.stderr);
  // A test file is one under a `tests/` folder of the scanned tree, not of the folders above it.
  const includeTests = values["include-tests"] === true || config.pull_requests.include_tests;
  const report = await scanPathsParallel(paths, {
    disabled,
    filter: {
      include: config.pull_requests.include,
      exclude: config.pull_requests.exclude,
      extraExclude: excludes,
      ...(settings.base !== null ? { base: settings.base } : {}),
      gitignore: values["no-gitignore"] !== true,
      suppressions: reportUnused,
      tests: includeTests,
    },
    progress: (files, bytes) => bar.update(files, bytes),
  });
  bar.done();
  const seen = new Set<string>();
  for (const s of report.skipped) {
    if (seen.has(s.path)) continue; // one line per path
    seen.add(s.path);
    io.stderr.write(`async-doctor: skipped ${s.path}: ${s.reason}\n`);
  }
  const unreadable = paths.filter((p) => report.skipped.some((s) => s.path === p));
  if (positionals.length > 0 && report.files === 0 && unreadable.length === positionals.length)
    throw new UsageError("no readable Python files in the given paths");
  if (report.files === 0)
    io.stderr.write(
      "async-doctor: note: no Python file was analysed (nothing matched, or everything was excluded)\n",
    );

  // Findings in test files (a file named on the command line is read as given) are left out too.
  const inTests = (f: CodeFinding) => isTestPath(underRoot(f.file, paths));
  if (!includeTests) report.findings = report.findings.filter((f) => !inTests(f));
  if (!includeTests && report.testFiles > 0)
    io.stderr.write(
      `async-doctor: ${count(report.testFiles, "test file")} not analysed (--include-tests analyses them)\n`,
    );
  const findings = report.findings;
  report.unusedIgnores.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line));
  const unused = reportUnused ? report.unusedIgnores.map(unusedIgnoreFinding) : [];
  if (format === "json") {
    const out = {
      ...(includeTests ? {} : { test_files_not_analysed: report.testFiles }),
      ...(reportUnused
        ? {
            unused_ignores: report.unusedIgnores.map((u) => ({
              file: u.path,
              line: u.line,
              rule: u.rule,
              reason: u.reason,
            })),
          }
        : {}),
      findings: findings.map((f) => ({
        rule: f.rule,
        confidence: f.confidence,
        message: f.message,
        file: f.file,
        line: f.line,
        column: f.column,
        ...(f.fix ? { fix: f.fix } : {}),
      })),
    };
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else if (format === "sarif") {
    io.stdout.write(
      `${JSON.stringify(toSarif([...findings, ...unused], VERSION, { skipped: report.skipped }), null, 2)}\n`,
    );
  } else if (format === "github") {
    if (findings.length + unused.length > 0)
      io.stdout.write(`${renderWorkflowCommands([...findings, ...unused])}\n`);
    io.stderr.write(`async-doctor: ${scanSummary(findings.length, report.files)}\n`);
  } else {
    const paint = painter(colourFor(io.stdout));
    for (const u of unused)
      io.stdout.write(
        `${paint("cyan", `${u.file}:${u.line}:${u.column}`)}: ${paint("bold", u.rule)} ${u.message}\n`,
      );
    io.stdout.write(`${renderScanText(findings, report.files, report.parsed, paint)}\n`);
  }
  return exitFor([...findings, ...unused], failOn);
}
