/**
 * Python facts shared by several rules (see KNOWLEDGE.md of the project notes), plus small
 * helpers that read them off the evidence. Pure data and pure functions.
 */
import { code } from "./md.js";
import type { FileFacts, ImportFact } from "./python/facts.js";
import type { IssueEvidence } from "./rule.js";
import { compareVersions, type PatcherFact } from "./text/context.js";
import { findLineLower, mentions } from "./text/evidence.js";
import type { Traceback } from "./text/traceback.js";
import type { Evidence, Platform } from "./types.js";

/** Packages seen importing trio in real tracebacks (frame package names). */
export const TRIO_IMPORTERS = new Set([
  "trio",
  "httpx",
  "httpcore",
  "pyee",
  "trio_websocket",
  "locust_plugins",
  "discord_webhook",
  "dns",
]);

/** Words in prose that tie a report to trio being imported. */
export const TRIO_LINK_WORDS = [
  "trio",
  "httpx",
  "httpcore",
  "dnspython",
  "greendns",
  "eventlet_no_greendns",
  "locust-plugins",
  "locust_plugins",
  "pyee",
  "trio-websocket",
];

/** Modules that bind `ssl.SSLContext` directly when imported (gevent warns about these). */
export const SSL_BINDING_MODULES = [
  "requests",
  "urllib3",
  "botocore",
  "boto3",
  "httplib2",
  "elasticsearch",
  "google.auth",
  "kombu",
  "redis",
];

/** Imports that are harmless before a patch call (no locks, sockets or SSL contexts made). */
export const HARMLESS_BEFORE_PATCH = new Set([
  "__future__",
  "sys",
  "os",
  "os.path",
  "types",
  "typing",
  "typing_extensions",
  "abc",
  "enum",
  "dataclasses",
  "functools",
  "itertools",
  "collections",
  "math",
  "re",
  "json",
  "string",
  "time",
  "warnings",
  "pathlib",
  "gc",
  "gevent",
  "eventlet",
  "greenlet",
]);

export function topModule(m: string): string {
  return m.split(".")[0] ?? m;
}

/** Synchronous DB drivers and their connect functions. */
export const SYNC_DB_CONNECTS = new Set([
  "mysql.connector.connect",
  "mysql.connector.Connect",
  "pymysql.connect",
  "pymysql.Connect",
  "MySQLdb.connect",
  "MySQLdb.Connect",
  "psycopg2.connect",
  "sqlite3.connect",
]);

export const DB_METHODS = new Set([
  "cursor",
  "execute",
  "executemany",
  "executescript",
  "fetchone",
  "fetchall",
  "fetchmany",
  "commit",
  "rollback",
  "query",
]);

/** The import chain of a traceback: distinct third-party packages, in order, from the first import frame. */
export function importChain(tb: Traceback): string[] {
  const chain: string[] = [];
  let started = false;
  for (const f of tb.frames) {
    const src = (f.source ?? "").trim();
    const isImport =
      src.startsWith("import ") || src.startsWith("from ") || (f.func ?? "").includes("import");
    if (!started && !isImport) continue;
    started = true;
    if (f.pkg === "stdlib" || f.pkg === "frozen" || f.pkg === "app" || f.pkg === "") continue;
    const name = f.pkg === "dns" ? "dnspython" : f.pkg;
    if (chain[chain.length - 1] !== name) chain.push(name);
  }
  // "import trio" as the last source line counts even when the trio frames were cut off.
  const last = tb.frames[tb.frames.length - 1];
  const lastSrc = (last?.source ?? "").trim();
  if (
    (lastSrc === "import trio" || lastSrc.startsWith("import trio ") || lastSrc.startsWith("from trio")) &&
    chain[chain.length - 1] !== "trio"
  )
    chain.push("trio");
  return chain;
}

/** The longest import chain over all tracebacks that ends in (or passes) trio, else the longest. */
export function bestChain(ev: IssueEvidence): string[] {
  let best: string[] = [];
  for (const tb of ev.tracebacks) {
    const c = importChain(tb);
    const hasTrio = c.some((p) => TRIO_IMPORTERS.has(p) || p === "dnspython");
    const bestHasTrio = best.some((p) => TRIO_IMPORTERS.has(p) || p === "dnspython");
    if ((hasTrio && !bestHasTrio) || (hasTrio === bestHasTrio && c.length > best.length)) best = c;
  }
  return best;
}

/** Evidence that trio (directly or through a known importer) is involved. */
export function trioLink(ev: IssueEvidence): Evidence | null {
  for (const tb of ev.tracebacks) {
    for (const f of tb.frames) {
      if (f.pkg === "trio")
        return {
          kind: "frame",
          text: `File "${f.path}", line ${f.line ?? "?"}${f.func ? `, in ${f.func}` : ""}`,
          line: f.textLine,
        };
    }
  }
  for (const tb of ev.tracebacks) {
    for (const f of tb.frames) {
      if (TRIO_IMPORTERS.has(f.pkg) || f.module.startsWith("eventlet.support.greendns")) {
        return {
          kind: "frame",
          text: `File "${f.path}", line ${f.line ?? "?"}${f.func ? `, in ${f.func}` : ""}`,
          line: f.textLine,
        };
      }
      if ((f.source ?? "").trim().startsWith("import trio"))
        return { kind: "frame", text: f.source ?? "", line: f.textLine };
    }
  }
  if (ev.context.versions.has("trio")) {
    const v = ev.context.versions.get("trio");
    return { kind: "version", text: `trio ${v?.version ?? ""}`, line: v?.textLine };
  }
  for (const w of TRIO_LINK_WORDS) {
    if (mentions(ev, w)) return findLineLower(ev, w);
  }
  return null;
}

export function patcher(ev: IssueEvidence): PatcherFact | null {
  return ev.context.patchers[0] ?? null;
}

export function patcherEvidence(p: PatcherFact): Evidence {
  return { kind: "text", text: p.because };
}

export function platformName(p: Platform): string {
  switch (p) {
    case "macos":
      return "macOS";
    case "linux":
      return "Linux";
    case "windows":
      return "Windows";
    case "freebsd":
      return "FreeBSD";
    case "android":
      return "Android";
    default:
      return "your platform";
  }
}

export function patcherName(p: PatcherFact | null): string {
  return p?.patcher === "eventlet" ? "eventlet" : "gevent";
}

/** How the patch is applied, in a clause: "gunicorn's gevent worker (`-k gevent`)". */
export function patcherHow(p: PatcherFact | null): string {
  if (p === null) return "gevent or eventlet monkey-patching";
  switch (p.via) {
    case "gunicorn":
      return `gunicorn's ${p.patcher} worker (it patches before it loads your app)`;
    case "celery":
      return `celery's ${p.patcher} pool (it patches before your tasks are imported)`;
    case "locust":
      return "locust (it calls gevent's `monkey.patch_all()` as soon as it is imported)";
    case "grequests":
      return "grequests (it calls gevent's `patch_all()` when it is imported)";
    case "direct":
      return p.patcher === "gevent" ? "gevent's `monkey.patch_all()`" : "`eventlet.monkey_patch()`";
    default:
      return p.patcher === "gevent" ? "gevent's monkey-patching" : "eventlet's monkey-patching";
  }
}

export function chainText(chain: string[]): string {
  return chain.map((c) => code(c, 40)).join(" → ");
}

export function versionOf(ev: IssueEvidence, pkg: string): string | null {
  return ev.context.versions.get(pkg)?.version ?? null;
}

/** Is version v within [lo, hi] (inclusive, either bound optional)? Null when v unknown. */
export function inRange(v: string | null, lo: string | null, hi: string | null): boolean | null {
  if (v === null || !/^\d/.test(v)) return null;
  if (lo !== null && compareVersions(v, lo) < 0) return false;
  if (hi !== null && compareVersions(v, hi) > 0) return false;
  return true;
}

/** The shared advice for every trio-under-a-patcher failure. */
export function trioFixes(
  ev: IssueEvidence,
  opts: { failure: "notimpl" | "epoll" | "greensocket" },
): string[] {
  const p = patcher(ev);
  const fixes: string[] = [];
  const greendns =
    ev.tracebacks.some((tb) => tb.frames.some((f) => f.module.startsWith("eventlet.support.greendns"))) ||
    mentions(ev, "greendns");
  if (
    greendns ||
    (p?.patcher === "eventlet" && (mentions(ev, "dnspython") || mentions(ev, "eventlet_no_greendns")))
  ) {
    fixes.push(
      "**eventlet's DNS import is what pulls trio in.** `import eventlet` imports dnspython with a green `select` in place, and dnspython ≥ 2.4 imports httpx → httpcore → trio inside that window. Set `EVENTLET_NO_GREENDNS=yes` in the environment, or pin `dnspython==2.3.0`, or upgrade eventlet (later releases improved this).",
    );
  }
  const trioV = versionOf(ev, "trio");
  const oldLinuxTrio =
    opts.failure === "epoll" && inRange(trioV?.split("/")[0] ?? null, "0.17", "0.25.99") !== false;
  if (opts.failure === "greensocket") {
    fixes.push(
      "**If nothing in your program runs trio** (the usual case: a dependency imports it), uninstall it: `pip uninstall trio` (it often arrives through an extra such as `httpx[trio]`). Upgrading httpcore does not help here: httpcore 1.0.6 only catches `NotImplementedError` from `import trio`, not this `AttributeError`.",
    );
  } else if (opts.failure === "epoll") {
    fixes.push(
      `**If nothing in your program runs trio** (the usual case: a dependency imports it), uninstall it: \`pip uninstall trio\` (it often arrives through an extra such as \`httpx[trio]\`). Or upgrade trio to 0.26 or later, where \`import trio\` no longer touches \`select.epoll\`${oldLinuxTrio ? " (httpcore 1.0.6 does not catch this AttributeError, so upgrading httpcore alone is not enough on trio 0.17 – 0.25)" : ""}${p?.patcher === "eventlet" ? ". Under eventlet, trio ≥ 0.26 then fails on `GreenSocket.sendmsg` instead, so prefer uninstalling trio" : ""}.`,
    );
  } else {
    fixes.push(
      '**If nothing in your program runs trio** (the usual case: a dependency imports it), upgrade httpcore: `pip install -U "httpcore>=1.0.6"` (it catches the error from `import trio` and carries on without trio). Or uninstall trio: `pip uninstall trio` (it often arrives through an extra such as `httpx[trio]`).',
    );
  }
  fixes.push(
    `**If your program really runs trio**, do not run trio and ${patcherName(p)} in one process: pick one framework, or move one side into a separate process (a worker service, or \`multiprocessing\` with the \`spawn\` start method).`,
  );
  fixes.push(
    `**Not a fix:** importing trio before ${p?.patcher === "eventlet" ? "`eventlet.monkey_patch()`" : "`monkey.patch_all()`"} only avoids this import-time crash. \`trio.run()\` still fails under a patched process (a \`TrioInternalError\` on trio 0.22, the epoll \`AttributeError\` on Linux with trio ≥ 0.26), and trio's maintainers consider patched trio unsupported.`,
  );
  return fixes;
}

/** Cause paragraph about who imported trio. */
export function trioChainCause(ev: IssueEvidence): string | null {
  const chain = bestChain(ev);
  if (chain.length >= 2) {
    const httpcore = chain.includes("httpcore") || chain.includes("httpx");
    return `The traceback shows the import chain ${chainText(chain)}${chain[chain.length - 1] === "trio" ? "" : " → `trio`"}: your code probably never imports trio itself.${httpcore ? " httpcore 0.17.2 – 1.0.5 imports trio eagerly whenever it is installed." : ""}`;
  }
  if (mentions(ev, "httpx") || mentions(ev, "httpcore"))
    return "httpx is mentioned: its transport, httpcore 0.17.2 – 1.0.5, imports trio eagerly whenever trio is installed, so your code probably never imports trio itself.";
  return null;
}

export function versionSentence(ev: IssueEvidence, pkg: string): string | null {
  const v = ev.context.versions.get(pkg);
  if (!v) return null;
  if (v.source === "inferred")
    return `${pkg} ${code(v.version, 30)} (inferred from the line number of the \`raise\` in \`trio/_core/_run.py\`)`;
  return `${pkg} ${code(v.version, 30)}`;
}

/** Module-level imports before a line, excluding ones harmless before patching. */
export function importsBefore(
  facts: FileFacts,
  line: number,
  pred: (imp: ImportFact) => boolean,
): ImportFact[] {
  return facts.imports.filter((i) => i.moduleLevel && !i.inTypeChecking && i.line < line && pred(i));
}

export function importsModule(imp: ImportFact, mods: readonly string[]): string | null {
  for (const t of [imp.module, ...imp.targets]) {
    for (const m of mods) if (t === m || t.startsWith(`${m}.`)) return m;
  }
  return null;
}

/** Evidence line for a code fact. */
export function codeEvidence(facts: FileFacts, line: number): Evidence {
  return { kind: "code", text: (facts.lines[line - 1] ?? "").trim(), line };
}

/** Words that turn a co-mention of two libraries into a problem report. */
export const PROBLEM_TERMS = [
  "break",
  "broke",
  "mess",
  "incompatib",
  "not compatible",
  "not natively compatible",
  "prevent",
  "hang",
  "stuck",
  "freez",
  "fail",
  "error",
  "doesn't work",
  "does not work",
  "not work",
  "conflict",
  "defeat",
  "block",
  "problem",
  "cause issue",
  "causes issue",
  "not seem to handle",
  "does not handle",
  "doesn't handle",
  "deadlock",
];

export const GEVENT_WORDS = [
  "gevent",
  "monkey patching",
  "monkey-patching",
  "monkeypatching",
  "monkey patch",
  "monkey-patch",
  "patch_all",
  "greenlet",
];

/** The gevent patch facts of a file (including patching imports). */
export function geventPatches(facts: FileFacts) {
  return facts.patches.filter((p) => p.kind === "gevent");
}

/** Does any snippet in the issue produce a finding of this rule? */
export function snippetFinding(ev: IssueEvidence, rule: string): Evidence | null {
  const f = ev.snippetFindings.find((x) => x.rule === rule);
  if (!f) return null;
  return { kind: "code", text: f.evidence[0]?.text ?? "", line: f.line };
}

const PATCH_WORDS = ["patch", "monkey", "worker", "-k ", "pool", "greenlet"];

/**
 * Patching shown, not just a library named: a patch call, gunicorn/celery/locust/grequests,
 * gevent/eventlet frames, or a sentence that ties gevent/eventlet to patching or workers.
 * Generic errors (asyncio's, epoll's) need this; a pip list naming gevent does not count.
 */
export function shownPatcher(ev: IssueEvidence): PatcherFact | null {
  const strong = ev.context.patchers.find((p) => p.via !== "mentioned" || p.because.includes("frames"));
  if (strong) return strong;
  for (const s of ev.sentences) {
    for (const name of ["gevent", "eventlet"] as const) {
      if (s.text.includes(name) && PATCH_WORDS.some((w) => s.text.includes(w)))
        return { patcher: name, via: "mentioned", because: `the report says it patches with ${name}` };
    }
  }
  return null;
}
