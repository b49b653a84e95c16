/** `async-doctor triage`: an issue text, diagnosed as the App would. */
import { readFileSync } from "node:fs";
import { ruleFilter } from "../config/rule-filter.js";
import { createEngine } from "../diagnosis/engine.js";
import { renderIssueComment } from "../report/issue-comment.js";
import { renderIssueText } from "../report/terminal.js";
import { listValue, type Parsed, UsageError } from "./args.js";
import { commandSettings } from "./config.js";
import type { Io } from "./scan-command.js";
import { exitFor } from "./scan-command.js";

/** Issue files may carry YAML front matter (metadata, not issue text): skip it. */
export function stripFrontMatter(text: string): string {
  if (!text.startsWith("---\n") && !text.startsWith("---\r\n")) return text;
  const end = text.indexOf("\n---", 4);
  if (end < 0) return text;
  const after = text.indexOf("\n", end + 4);
  return after < 0 ? "" : text.slice(after + 1);
}

export async function triageCommand({ positionals, values }: Parsed, io: Io): Promise<number> {
  const format = String(values.format ?? "text");
  if (positionals.length > 1) throw new UsageError("triage takes one FILE or -");
  const repo = typeof values.repo === "string" ? values.repo : null;
  if (repo !== null && !/^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/.test(repo))
    throw new UsageError(`--repo takes OWNER/NAME, not '${repo}'`);
  const explicit = typeof values.config === "string" ? values.config : null;
  const { config } = await commandSettings(explicit, ".", io.stderr);
  const input = positionals[0];
  // Nothing piped in and no file named: say how to use it instead of waiting for a terminal's input.
  if ((input === undefined || input === "-") && process.stdin.isTTY === true)
    throw new UsageError(
      "triage reads an issue text: `async-doctor triage issue.md`, or pipe it in (`gh issue view 123 | async-doctor triage`)",
    );
  let text: string;
  try {
    text = stripFrontMatter(readFileSync(input === undefined || input === "-" ? 0 : input, "utf8"));
  } catch (e) {
    throw new UsageError(
      `cannot read ${input ?? "stdin"}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  const engine = await createEngine();
  const { findings, evidence } = engine.triage(text, ruleFilter(config, listValue(values.disable)), {
    repo,
    maintainers: listValue(values.maintainers),
  });
  if (format === "json") {
    const out = {
      findings: findings.map((f) => ({ rule: f.rule, confidence: f.confidence, message: f.message })),
    };
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else if (format === "markdown") {
    if (findings.length > 0) io.stdout.write(`${renderIssueComment(findings, evidence)}\n`);
    else io.stderr.write("async-doctor: nothing found: the App would not comment\n");
  } else {
    io.stdout.write(findings.length > 0 ? `${renderIssueText(findings)}\n` : "no findings\n");
  }
  return exitFor(findings, values["exit-zero"] === true ? "never" : "any");
}
