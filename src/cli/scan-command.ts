/** `async-doctor scan`: files and folders on disk, with the repository's settings. */
import { existsSync } from "node:fs";
import { globProblem } from "../config/globs.js";
import { ruleFilter } from "../config/rule-filter.js";
import { RULE_IDS } from "../diagnosis/catalog.js";
import { isTestPath } from "../diagnosis/paths.js";
import type { UnusedIgnore } from "../diagnosis/suppressions.js";
import type { CodeFinding } from "../diagnosis/types.js";
import { UNUSED_IGNORE } from "../report/sarif.js";
import { count, scanSummary } from "../report/terminal.js";
import { listValue, type Parsed, UsageError, unknownRule } from "./args.js";
import { readBaseline } from "./baseline.js";
import { commandSettings, settingsPaths } from "./config.js";
import { fixFindings, showDiff } from "./fix-command.js";
import { colourFor, painter, progress, type Stream } from "./output.js";
import { noPaint, render, renderStatistics, writeOutput } from "./scan-output.js";
import { scanPathsParallel } from "./scan-pool.js";
import { readStdin, scanStdin } from "./stdin-scan.js";

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
  const stdin = positionals.length === 1 && positionals[0] === "-";
  if (!stdin && positionals.includes("-")) throw new UsageError("`-` (standard input) is scanned alone");
  const stdinName = typeof values["stdin-filename"] === "string" ? values["stdin-filename"] : null;
  if (!stdin && stdinName !== null) throw new UsageError("--stdin-filename goes with the path `-`");
  if (stdin && (values.fix === true || values.diff === true))
    throw new UsageError(
      "--fix and --diff edit files: with standard input, use --format json (each finding's fix)",
    );
  // The settings are looked for from the named file's folder (from the current one without a name).
  const paths = stdin ? [stdinName ?? "-"] : positionals.length > 0 ? positionals : ["."];
  // A path that does not exist is a mistake in the command, not an empty result.
  const missing = stdin ? [] : paths.filter((p) => !existsSync(p));
  if (missing.length > 0)
    throw new UsageError(`no such file or folder: ${missing.map((p) => JSON.stringify(p)).join(", ")}`);
  // Not split at commas: a glob may hold `{a,b}`.
  const excludes = Array.isArray(values.exclude) ? values.exclude.map(String) : [];
  for (const g of excludes) {
    const problem = globProblem(g);
    if (problem !== null) throw new UsageError(`--exclude ${JSON.stringify(g)} is ${problem}`);
  }
  const explicit = typeof values.config === "string" ? values.config : null;
  const start = stdin && stdinName === null ? "." : (paths[0] as string);
  const settings = await commandSettings(explicit, start, io.stderr);
  const { config } = settings;
  const failOn = failOnOf(values, settings.failOn);
  const filter = ruleFilter(config, listValue(values.disable));
  const selected = listValue(values.select);
  for (const id of selected) if (!RULE_IDS.includes(id)) throw unknownRule(id);
  const disabled = RULE_IDS.filter(
    (id) => !filter.enabled?.(id) || (selected.length > 0 && !selected.includes(id)),
  );
  const quiet = values.quiet === true;
  const known = typeof values.baseline === "string" ? readBaseline(values.baseline) : null;
  if (values.fix === true && values.diff === true) throw new UsageError("--fix and --diff: choose one");
  const reportUnused = values["report-unused-ignores"] === true;
  const bar = progress(io.stderr);
  // A test file is one under a `tests/` folder of the scanned tree, not of the folders above it.
  const includeTests = values["include-tests"] === true || config.pull_requests.include_tests;
  const scanFilter = {
    ...settingsPaths(settings),
    extraExclude: excludes,
    gitignore: values["no-gitignore"] !== true,
    suppressions: reportUnused,
    tests: includeTests,
  };

  const report = stdin
    ? await scanStdin(stdinName ?? "-", readStdin(), disabled, scanFilter)
    : await scanPathsParallel(paths, {
        disabled,
        filter: scanFilter,
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
  if (report.files === 0 && !quiet)
    io.stderr.write(
      "async-doctor: note: no Python file was analysed (nothing matched, or everything was excluded)\n",
    );

  // Findings in test files (a file named on the command line is read as given) are left out too.
  const inTests = (f: CodeFinding) => isTestPath(underRoot(f.file, paths));
  if (!includeTests) report.findings = report.findings.filter((f) => !inTests(f));
  if (!includeTests && report.testFiles > 0 && !quiet)
    io.stderr.write(
      `async-doctor: ${count(report.testFiles, "test file")} not analysed (--include-tests analyses them)\n`,
    );
  if (values.diff === true) return showDiff(report.findings, io);
  if (values.fix === true) report.findings = fixFindings(report.findings, io);
  if (known !== null) {
    const before = report.findings.length;
    report.findings = report.findings.filter((f) => !known(f));
    if (!quiet && before > report.findings.length)
      io.stderr.write(
        `async-doctor: ${count(before - report.findings.length, "finding")} in the baseline left out\n`,
      );
  }
  const findings = report.findings;
  report.unusedIgnores.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line));
  const unused = reportUnused ? report.unusedIgnores.map(unusedIgnoreFinding) : [];
  const shown = { findings, unused, files: report.files, parsed: report.parsed };
  const meta = {
    includeTests,
    testFiles: report.testFiles,
    reportUnused,
    unusedIgnores: report.unusedIgnores,
    skipped: report.skipped,
  };
  const outputFile = typeof values["output-file"] === "string" ? values["output-file"] : null;
  if (values.statistics === true) io.stdout.write(renderStatistics(findings));
  else if (outputFile !== null) {
    // The chosen format to the file, and the findings as text to the terminal (unless --quiet).
    writeOutput(outputFile, render(format, shown, meta, noPaint));
    if (!quiet) io.stdout.write(render("text", shown, meta, painter(colourFor(io.stdout)), quiet));
  } else {
    io.stdout.write(render(format, shown, meta, painter(colourFor(io.stdout)), quiet));
    if (format === "github" && !quiet)
      io.stderr.write(`async-doctor: ${scanSummary(findings.length, report.files)}\n`);
  }
  return exitFor([...findings, ...unused], failOn);
}
