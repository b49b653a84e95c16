#!/usr/bin/env node
/** async-doctor command line: `triage` issue texts and `scan` Python files. */
import { readFileSync } from "node:fs";
import { ruleFilter } from "../config/schema.js";
import { RULE_IDS } from "../diagnosis/catalog.js";
import { createEngine } from "../diagnosis/engine.js";
import { isTestPath } from "../diagnosis/paths.js";
import { renderIssueComment } from "../report/issue-comment.js";
import { toSarif } from "../report/sarif.js";
import { renderIssueText, renderScanText } from "../report/terminal.js";
import { VERSION } from "../version.js";
import { cliConfig } from "./config.js";
import { scanPathsParallel } from "./scan-pool.js";

const USAGE = `usage: async-doctor triage [FILE|-] [--format text|json|markdown] [--repo OWNER/NAME] [--maintainers LOGIN,...] [--disable RULE,...] [--config FILE]
       async-doctor scan [PATH...] [--format text|json|sarif] [--include-tests] [--disable RULE,...] [--config FILE]
       async-doctor --version

Rules switched off in .github/async-doctor.yml (found from the first path upwards, or --config)
are not run; --disable switches off more. --repo names the repository the issue is filed in:
posts by its owner (and by --maintainers) are not taken as evidence, a diagnosis they already gave
is not repeated, and the repository's own package is never recommended.
scan leaves out findings in test files (tests/, test_*.py, conftest.py), which often trigger the
patterns on purpose; --include-tests reports them.

exit codes: 0 no findings, 1 findings, 2 usage or input error`;

class UsageError extends Error {}

interface Args {
  command: string;
  positional: string[];
  format: string | null;
  disable: Set<string>;
  config: string | null;
  repo: string | null;
  maintainers: string[];
  includeTests: boolean;
}

export function parseArgs(argv: string[]): Args {
  const [command, ...rest] = argv;
  if (!command) throw new UsageError("missing command");
  const args: Args = {
    command,
    positional: [],
    format: null,
    disable: new Set(),
    config: null,
    repo: null,
    maintainers: [],
    includeTests: false,
  };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i] ?? "";
    const take = (name: string): string => {
      const eq = a.indexOf("=");
      if (eq >= 0) return a.slice(eq + 1);
      const v = rest[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      return v;
    };
    if (a === "--format" || a.startsWith("--format=")) args.format = take("--format");
    else if (a === "--config" || a.startsWith("--config=")) args.config = take("--config");
    else if (a === "--include-tests") args.includeTests = true;
    else if (a === "--maintainers" || a.startsWith("--maintainers="))
      args.maintainers.push(
        ...take("--maintainers")
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s.length > 0),
      );
    else if (a === "--repo" || a.startsWith("--repo=")) {
      const repo = take("--repo");
      if (!/^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/.test(repo))
        throw new UsageError(`--repo takes OWNER/NAME, not '${repo}'`);
      args.repo = repo;
    } else if (a === "--disable" || a.startsWith("--disable=")) {
      for (const id of take("--disable").split(",")) {
        if (!RULE_IDS.includes(id.trim())) throw new UsageError(`unknown rule '${id.trim()}'`);
        args.disable.add(id.trim());
      }
    } else if (a === "-") args.positional.push(a);
    else if (a.startsWith("-")) throw new UsageError(`unknown option '${a}'`);
    else args.positional.push(a);
  }
  return args;
}

/** Issue files may carry YAML front matter (metadata, not issue text): skip it. */
export function stripFrontMatter(text: string): string {
  if (!text.startsWith("---\n") && !text.startsWith("---\r\n")) return text;
  const end = text.indexOf("\n---", 4);
  if (end < 0) return text;
  const after = text.indexOf("\n", end + 4);
  return after < 0 ? "" : text.slice(after + 1);
}

function readInput(file: string | undefined): string {
  if (file === undefined || file === "-") return readFileSync(0, "utf8");
  return readFileSync(file, "utf8");
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === "--version" || argv[0] === "-V") {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    process.stdout.write(`${USAGE}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  const args = parseArgs(argv);
  if (args.command !== "triage" && args.command !== "scan")
    throw new UsageError(`unknown command '${args.command}'`);
  const first = args.positional[0];
  const { config, error, file } = await cliConfig(
    args.config,
    args.command === "scan" && first !== undefined ? first : ".",
  ).catch((e: unknown) => {
    throw new UsageError(
      `cannot read ${args.config}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  });
  if (error) process.stderr.write(`async-doctor: ${file ?? "configuration"}: using defaults:\n${error}\n`);
  const filter = ruleFilter(config, args.disable);
  const engine = await createEngine();
  if (args.command === "triage") {
    const format = args.format ?? "text";
    if (!["text", "json", "markdown"].includes(format))
      throw new UsageError(`triage: unknown format '${format}'`);
    if (args.positional.length > 1) throw new UsageError("triage takes one FILE or -");
    let text: string;
    try {
      text = stripFrontMatter(readInput(first));
    } catch (e) {
      throw new UsageError(
        `cannot read ${first ?? "stdin"}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
    const { findings, evidence } = engine.triage(text, filter, {
      repo: args.repo,
      maintainers: args.maintainers,
    });
    if (format === "json") {
      const out = {
        findings: findings.map((f) => ({ rule: f.rule, confidence: f.confidence, message: f.message })),
      };
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    } else if (format === "markdown") {
      if (findings.length > 0) process.stdout.write(`${renderIssueComment(findings, evidence)}\n`);
    } else {
      process.stdout.write(findings.length > 0 ? `${renderIssueText(findings)}\n` : "no findings\n");
    }
    return findings.length > 0 ? 1 : 0;
  }
  const format = args.format ?? "text";
  if (!["text", "json", "sarif"].includes(format)) throw new UsageError(`scan: unknown format '${format}'`);
  const paths = args.positional.length > 0 ? args.positional : ["."];
  const disabled = RULE_IDS.filter((id) => !filter.enabled?.(id));
  const report = await scanPathsParallel(paths, { disabled });
  for (const s of report.skipped) process.stderr.write(`async-doctor: skipped ${s.path}: ${s.reason}\n`);
  if (
    report.files === 0 &&
    report.skipped.length > 0 &&
    args.positional.length > 0 &&
    report.skipped.length >= args.positional.length
  ) {
    throw new UsageError("no readable Python files in the given paths");
  }
  // A test file is one under a `tests/` folder of the scanned tree, not of the folders above it.
  const inTests = (file: string) => isTestPath(underRoot(file, paths));
  const testFindings = report.findings.filter((f) => inTests(f.file));
  if (!args.includeTests && testFindings.length > 0) {
    report.findings = report.findings.filter((f) => !inTests(f.file));
    process.stderr.write(
      `async-doctor: ${testFindings.length} finding(s) in test files left out (--include-tests reports them)\n`,
    );
  }
  if (format === "json") {
    const out = {
      ...(args.includeTests ? {} : { left_out_in_tests: testFindings.length }),
      findings: report.findings.map((f) => ({
        rule: f.rule,
        confidence: f.confidence,
        message: f.message,
        file: f.file,
        line: f.line,
        column: f.column,
        ...(f.fix ? { fix: f.fix } : {}),
      })),
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else if (format === "sarif") {
    process.stdout.write(`${JSON.stringify(toSarif(report.findings, VERSION), null, 2)}\n`);
  } else {
    process.stdout.write(`${renderScanText(report.findings, report.files, report.parsed)}\n`);
  }
  return report.findings.length > 0 ? 1 : 0;
}

/** The part of `file` below the scanned path that holds it (the file itself when given alone). */
function underRoot(file: string, roots: string[]): string {
  for (const root of roots) {
    const r = root.endsWith("/") ? root : `${root}/`;
    if (file.startsWith(r)) return file.slice(r.length);
  }
  return file;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError) process.stderr.write(`async-doctor: ${e.message}\n`);
    else process.stderr.write(`async-doctor: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 2;
  },
);
