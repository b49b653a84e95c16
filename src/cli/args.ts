/**
 * The command line's grammar: subcommands, their options (node:util `parseArgs`) and the help
 * each prints. Everything a user can type is declared here once; `--help` is generated from it.
 */
import { parseArgs } from "node:util";
import { RULE_IDS } from "../diagnosis/catalog.js";

export class UsageError extends Error {}

interface Option {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  value?: string;
  help: string;
}

const FORMAT_HELP = (formats: string[], dflt: string) =>
  `output format: ${formats.join(", ")} (default ${dflt})`;

const COMMON: Record<string, Option> = {
  config: {
    type: "string",
    short: "c",
    value: "FILE",
    help: "settings file: YAML like .github/async-doctor.yml, or a pyproject.toml with [tool.async-doctor] (default: found from the scanned folder upwards)",
  },
  disable: {
    type: "string",
    multiple: true,
    value: "RULE[,RULE]",
    help: "switch rules off (repeatable)",
  },
  "exit-zero": { type: "boolean", help: "exit 0 even when something is found" },
  help: { type: "boolean", short: "h", help: "show this help" },
};

export const COMMANDS = {
  scan: {
    usage: "async-doctor scan [PATH...] [options]",
    summary: "find risky import and patch patterns in Python files and project manifests",
    positionals: "PATH: files or folders (default: the current folder)",
    formats: ["text", "json", "sarif", "github"],
    options: {
      format: {
        type: "string",
        short: "f",
        value: "FORMAT",
        help: FORMAT_HELP(["text", "json", "sarif", "github"], "text"),
      },
      ...COMMON,
      exclude: {
        type: "string",
        multiple: true,
        value: "GLOB",
        help: "leave out paths matching GLOB, relative to the scanned folder (repeatable)",
      },
      "no-gitignore": { type: "boolean", help: "also scan files that .gitignore ignores" },
      "include-tests": {
        type: "boolean",
        help: "report findings in test files (tests/, test_*.py, conftest.py) too",
      },
      "fail-on": {
        type: "string",
        value: "LEVEL",
        help: "exit 1 on: any finding (default), high (high-confidence findings only), never",
      },
      "report-unused-ignores": {
        type: "boolean",
        help: "report `# async-doctor: ignore` comments that silence nothing",
      },
      select: {
        type: "string",
        multiple: true,
        value: "RULE[,RULE]",
        help: "run only these rules (repeatable; --disable still switches some off)",
      },
      fix: {
        type: "boolean",
        help: "apply the exact edits findings carry (use_pure=True, an except tuple, a pin), then report what is left",
      },
      diff: {
        type: "boolean",
        help: "print those edits as a unified diff instead (nothing is written); exit 1 if there is any",
      },
      "stdin-filename": {
        type: "string",
        value: "PATH",
        help: "with PATH `-`: the name of the source read from standard input (its project's manifests apply)",
      },
      "output-file": {
        type: "string",
        short: "o",
        value: "FILE",
        help: "write the --format output to FILE, and the findings as text to the terminal",
      },
      baseline: {
        type: "string",
        value: "FILE",
        help: "report only findings not in FILE (an earlier `--format json` output, from the same folder)",
      },
      statistics: { type: "boolean", help: "print how many findings each rule has, instead of the findings" },
      quiet: { type: "boolean", short: "q", help: "print the findings only: no summary, no notes" },
    } as Record<string, Option>,
  },
  triage: {
    usage: "async-doctor triage [FILE|-] [options]",
    summary: "diagnose an issue text (a file, or standard input) as the App would",
    positionals: "FILE: the issue text, Markdown (default: standard input)",
    formats: ["text", "json", "markdown"],
    options: {
      format: {
        type: "string",
        short: "f",
        value: "FORMAT",
        help: FORMAT_HELP(["text", "json", "markdown"], "text"),
      },
      repo: {
        type: "string",
        value: "OWNER/NAME",
        help: "the repository the issue is filed in: its owner's posts are not evidence, and its own package is never recommended",
      },
      maintainers: {
        type: "string",
        multiple: true,
        value: "LOGIN[,LOGIN]",
        help: "more logins whose posts are not evidence (repeatable)",
      },
      ...COMMON,
    } as Record<string, Option>,
  },
  server: {
    usage: "async-doctor server [--stdio]",
    summary: "a language server (LSP over stdio) for editors: diagnostics as you type, quick fixes",
    positionals: "",
    formats: [],
    options: {
      stdio: {
        type: "boolean",
        help: "talk over standard input and output (the default and only transport)",
      },
      help: COMMON.help as Option,
    } as Record<string, Option>,
  },
  rules: {
    usage: "async-doctor rules [options]",
    summary: "list the rules: id, where they look (issue text, code, manifests), summary",
    positionals: "",
    formats: ["text", "json"],
    options: {
      format: { type: "string", short: "f", value: "FORMAT", help: FORMAT_HELP(["text", "json"], "text") },
      help: COMMON.help as Option,
    } as Record<string, Option>,
  },
  rule: {
    usage: "async-doctor rule ID",
    summary: "print a rule's page: what it finds, why it happens, how to fix it",
    positionals: "ID: a rule id (see `async-doctor rules`)",
    formats: [],
    options: { help: COMMON.help as Option } as Record<string, Option>,
  },
} as const;

export type CommandName = keyof typeof COMMANDS;

export const MAIN_HELP = `async-doctor — diagnoses Python concurrency-library conflicts (gevent, eventlet, trio, asyncio, grpc, C database drivers)

usage: async-doctor <command> [options]

commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`)
  .join("\n")}

  async-doctor <command> --help   options of one command
  async-doctor --version          the version

exit codes: 0 nothing found, 1 found (see --fail-on, --exit-zero), 2 usage or input error`;

export function commandHelp(name: CommandName): string {
  const c = COMMANDS[name];
  const rows = Object.entries(c.options).map(([long, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : "    "}--${long}${o.value ? ` ${o.value}` : ""}`;
    return [flag, o.help] as const;
  });
  const width = rows.reduce((w, [f]) => Math.max(w, f.length), 0) + 2;
  const lines = [`usage: ${c.usage}`, "", c.summary];
  if (c.positionals) lines.push("", c.positionals);
  lines.push("", "options:");
  for (const [f, h] of rows) lines.push(`  ${f.padEnd(width)}${h}`);
  if (name === "scan")
    lines.push(
      "",
      "Settings come from .github/async-doctor.yml or [tool.async-doctor] in pyproject.toml (the same",
      "keys as the App: rules, pull_requests.include / exclude). .gitignore is respected. Findings in",
      "test files are left out unless --include-tests.",
    );
  return lines.join("\n");
}

export interface Parsed {
  command: CommandName;
  positionals: string[];
  values: Record<string, string | boolean | string[] | undefined>;
}

/** A list option's values, split at commas, trimmed, empty ones dropped. */
export function listValue(v: unknown): string[] {
  const items = Array.isArray(v) ? v : typeof v === "string" ? [v] : [];
  return items
    .flatMap((x) => String(x).split(","))
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** The valid rule ids, for messages about an unknown one. */
export function unknownRule(id: string): UsageError {
  return new UsageError(`unknown rule '${id}'; the rules are: ${RULE_IDS.join(", ")}`);
}

export function parseCommand(argv: string[]): Parsed {
  const [name, ...rest] = argv;
  if (name === undefined) throw new UsageError("missing command (try --help)");
  if (!(name in COMMANDS))
    throw new UsageError(`unknown command '${name}' (commands: ${Object.keys(COMMANDS).join(", ")})`);
  const command = name as CommandName;
  const spec = COMMANDS[command];
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      options: Object.fromEntries(
        Object.entries(spec.options).map(([k, o]) => [
          k,
          { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) },
        ]),
      ),
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new UsageError(`${command}: ${(e as Error).message.split(". To specify")[0]}`);
  }
  const values = parsed.values as Parsed["values"];
  const format = values.format;
  if (typeof format === "string" && !(spec.formats as readonly string[]).includes(format))
    throw new UsageError(`${command}: unknown format '${format}' (formats: ${spec.formats.join(", ")})`);
  for (const id of listValue(values.disable)) if (!RULE_IDS.includes(id)) throw unknownRule(id);
  return { command, positionals: parsed.positionals, values };
}
