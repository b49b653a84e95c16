/**
 * The command line's entry: `scan` Python projects, `triage` issue texts, `rules` and `rule ID`.
 * `run` never throws: it writes to the given streams and returns the exit status (index.ts is
 * the executable; the tests call `run` in-process too).
 */
import { CATALOG, ruleInfo } from "../diagnosis/catalog.js";
import { VERSION } from "../version.js";
import {
  COMMANDS,
  commandHelp,
  MAIN_HELP,
  type Parsed,
  parseCommand,
  UsageError,
  unknownRule,
} from "./args.js";
import { colourFor, painter } from "./output.js";
import type { Io } from "./scan-command.js";

function rulesCommand({ values }: Parsed, io: Io): number {
  if (values.format === "json") {
    const out = CATALOG.map((r) => ({ id: r.id, kinds: r.kinds, summary: r.title, page: r.docPath }));
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  const paint = painter(colourFor(io.stdout));
  const width = CATALOG.reduce((w, r) => Math.max(w, r.id.length), 0) + 2;
  const kindsWidth = CATALOG.reduce((w, r) => Math.max(w, r.kinds.join(",").length), 0) + 2;
  for (const r of CATALOG)
    io.stdout.write(
      `${paint("bold", r.id.padEnd(width))}${paint("dim", r.kinds.join(",").padEnd(kindsWidth))}${r.title}\n`,
    );
  return 0;
}

async function ruleCommand({ positionals }: Parsed, io: Io): Promise<number> {
  if (positionals.length !== 1) throw new UsageError("rule takes one rule id (see `async-doctor rules`)");
  const id = positionals[0] as string;
  const info = ruleInfo(id);
  if (!info) throw unknownRule(id);
  const { rulePage } = await import("../report/rule-docs.js");
  io.stdout.write(`${rulePage(info)}\n`);
  return 0;
}

export async function main(
  argv: string[],
  io: Io = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const first = argv[0];
  if (first === "--version" || first === "-V") {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (first === undefined || first === "--help" || first === "-h" || first === "help") {
    const topic = argv[1];
    if (first === "help" && topic !== undefined && topic in COMMANDS)
      io.stdout.write(`${commandHelp(topic as keyof typeof COMMANDS)}\n`);
    else io.stdout.write(`${MAIN_HELP}\n`);
    return first === undefined ? 2 : 0;
  }
  const parsed = parseCommand(argv);
  if (parsed.values.help === true) {
    io.stdout.write(`${commandHelp(parsed.command)}\n`);
    return 0;
  }
  // Each command loads what it needs (a scan's threads share the machine with this one).
  switch (parsed.command) {
    case "scan":
      return (await import("./scan-command.js")).scanCommand(parsed, io);
    case "triage":
      return (await import("./triage-command.js")).triageCommand(parsed, io);
    case "server":
      return (await import("./server.js")).startServer();
    case "rules":
      return rulesCommand(parsed, io);
    case "rule":
      return ruleCommand(parsed, io);
  }
}

/** Run a command line; usage and input errors become one stderr line and status 2. */
export async function run(
  argv: string[],
  io: Io = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  try {
    return await main(argv, io);
  } catch (e) {
    if (e instanceof UsageError) io.stderr.write(`async-doctor: ${e.message}\n`);
    else io.stderr.write(`async-doctor: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    return 2;
  }
}
