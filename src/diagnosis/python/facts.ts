/**
 * Per-file facts extracted from a Python syntax tree: imports, resolved calls, patch calls,
 * async-def context and inline suppressions. Code rules work on these facts only.
 */
import type { Node } from "web-tree-sitter";
import type { PythonParser } from "./parser.js";

export interface Span {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface TryContext {
  /** Exception names the handlers catch; "*" for a bare `except:`. */
  catches: string[];
  tryLine: number;
  /** Line of the first `except` clause. */
  exceptLine: number;
  /** Text of the first except clause header, e.g. `except ImportError:`. */
  exceptHeader: string;
}

export interface ImportFact extends Span {
  /** `import a.b` -> ["a.b"]; `from a import b, c` -> ["a.b", "a.c"] plus module "a". */
  module: string;
  targets: string[];
  moduleLevel: boolean;
  inTry: TryContext | null;
  inTypeChecking: boolean;
}

export interface CallFact extends Span {
  /** Dotted name after alias resolution, e.g. `gevent.monkey.patch_all`. */
  qualified: string;
  /** The function expression as written. */
  raw: string;
  kwargs: Map<string, string>;
  hasStarArgs: boolean;
  moduleLevel: boolean;
  /** Name of the async def this call sits directly in (not in a nested def/lambda), or null. */
  asyncDef: string | null;
  /** Start line of that async def (scope key). */
  asyncDefLine: number | null;
  awaited: boolean;
  /** Identifier the call result is bound to (`x = call()`, `with call() as x`). */
  boundTo: string | null;
  /** Position just before the closing parenthesis of the argument list (1-based line, 0-based col). */
  closeParen: { line: number; column: number } | null;
  /** Whether the call is the whole statement on its lines (for safe line edits). */
  statementLines: { start: number; end: number } | null;
}

export type PatchKind = "gevent" | "eventlet";

export interface PatchFact extends Span {
  kind: PatchKind;
  /** e.g. `patch_all`, `monkey_patch`, `import grequests`. */
  how: string;
  kwargs: Map<string, string>;
  moduleLevel: boolean;
}

export interface FileFacts {
  path: string;
  lines: string[];
  imports: ImportFact[];
  calls: CallFact[];
  patches: PatchFact[];
  /** line -> rule ids suppressed there ("*" for all). */
  suppressions: Map<number, Set<string>>;
  hasSyntaxError: boolean;
}

/** Method/function names worth resolving; other calls are skipped cheaply. */
const INTERESTING_CALLS = new Set([
  "patch_all",
  "patch_socket",
  "patch_ssl",
  "patch_select",
  "patch_thread",
  "monkey_patch",
  "connect",
  "Connect",
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
  "run",
  "run_until_complete",
  "run_forever",
  "get_event_loop",
  "new_event_loop",
  "set_event_loop",
  "init_gevent",
  "server",
  "insecure_channel",
  "secure_channel",
]);

function span(n: Node): Span {
  return {
    line: n.startPosition.row + 1,
    column: n.startPosition.column + 1,
    endLine: n.endPosition.row + 1,
    endColumn: n.endPosition.column + 1,
  };
}

function isAsyncDef(n: Node): boolean {
  return n.type === "function_definition" && n.child(0)?.type === "async";
}

interface Ancestry {
  moduleLevel: boolean;
  asyncDef: Node | null;
  inTry: TryContext | null;
  inTypeChecking: boolean;
}

function exceptNames(header: string): string[] {
  // "except (ImportError, ModuleNotFoundError) as e:" -> names
  let h = header.trim();
  if (h.startsWith("except*")) h = h.slice(7);
  else if (h.startsWith("except")) h = h.slice(6);
  const colon = h.indexOf(":");
  if (colon >= 0) h = h.slice(0, colon);
  const as = h.indexOf(" as ");
  if (as >= 0) h = h.slice(0, as);
  const names = h
    .split(/[\s(),]+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => s.slice(s.lastIndexOf(".") + 1));
  return names.length === 0 ? ["*"] : names;
}

function tryContext(tryNode: Node): TryContext {
  const catches: string[] = [];
  let exceptLine = 0;
  let exceptHeader = "";
  for (const child of tryNode.namedChildren) {
    if (child === null || child.type !== "except_clause") continue;
    const header = (child.text.split("\n")[0] ?? "").trim();
    if (exceptLine === 0) {
      exceptLine = child.startPosition.row + 1;
      exceptHeader = header;
    }
    catches.push(...exceptNames(header));
  }
  return { catches, tryLine: tryNode.startPosition.row + 1, exceptLine, exceptHeader };
}

function ancestry(node: Node): Ancestry {
  let moduleLevel = true;
  let asyncDef: Node | null = null;
  let sawFunction = false;
  let inTry: TryContext | null = null;
  let inTypeChecking = false;
  let child: Node = node;
  let p = node.parent;
  while (p !== null) {
    if (p.type === "function_definition" || p.type === "lambda") {
      if (!sawFunction && isAsyncDef(p)) asyncDef = p;
      sawFunction = true;
      moduleLevel = false;
    } else if (p.type === "try_statement" && inTry === null && !sawFunction) {
      // Only the try body is guarded by the handlers.
      if (p.childForFieldName("body")?.id === child.id) inTry = tryContext(p);
    } else if (p.type === "if_statement") {
      const cond = p.childForFieldName("condition");
      if (cond?.text.includes("TYPE_CHECKING")) inTypeChecking = true;
    }
    child = p;
    p = p.parent;
  }
  return { moduleLevel, asyncDef, inTry, inTypeChecking };
}

/** Map local names to qualified modules from the file's imports. */
function buildAliases(importNodes: Node[]): Map<string, string> {
  const aliases = new Map<string, string>();
  for (const n of importNodes) {
    if (n.type === "import_statement") {
      for (const c of n.namedChildren) {
        if (c === null) continue;
        if (c.type === "dotted_name") {
          const full = c.text;
          const head = full.split(".")[0] ?? full;
          if (!aliases.has(head)) aliases.set(head, head);
        } else if (c.type === "aliased_import") {
          const name = c.childForFieldName("name")?.text;
          const alias = c.childForFieldName("alias")?.text;
          if (name && alias) aliases.set(alias, name);
        }
      }
    } else {
      const mod = n.childForFieldName("module_name")?.text ?? "";
      if (mod.startsWith(".")) continue;
      for (const c of n.childrenForFieldName("name")) {
        if (c === null) continue;
        if (c.type === "dotted_name") aliases.set(c.text, `${mod}.${c.text}`);
        else if (c.type === "aliased_import") {
          const name = c.childForFieldName("name")?.text;
          const alias = c.childForFieldName("alias")?.text;
          if (name && alias) aliases.set(alias, `${mod}.${name}`);
        }
      }
    }
  }
  return aliases;
}

function resolve(raw: string, aliases: Map<string, string>): string {
  const compact = raw.replace(/\s+/g, "");
  const dot = compact.indexOf(".");
  const head = dot < 0 ? compact : compact.slice(0, dot);
  const mapped = aliases.get(head);
  if (mapped === undefined) return compact;
  return dot < 0 ? mapped : mapped + compact.slice(dot);
}

function importFact(n: Node, a: Ancestry): ImportFact {
  let module = "";
  const targets: string[] = [];
  if (n.type === "import_statement") {
    for (const c of n.namedChildren) {
      if (c === null) continue;
      const name = c.type === "aliased_import" ? c.childForFieldName("name")?.text : c.text;
      if (name) targets.push(name);
    }
    module = targets[0] ?? "";
  } else {
    module = n.childForFieldName("module_name")?.text ?? "";
    for (const c of n.childrenForFieldName("name")) {
      if (c === null) continue;
      const name = c.type === "aliased_import" ? c.childForFieldName("name")?.text : c.text;
      if (name) targets.push(`${module}.${name}`);
    }
    if (targets.length === 0) targets.push(module); // from x import *
  }
  return {
    ...span(n),
    module,
    targets,
    moduleLevel: a.moduleLevel,
    inTry: a.inTry,
    inTypeChecking: a.inTypeChecking,
  };
}

function parseSuppression(text: string): Set<string> | null {
  const i = text.indexOf("async-doctor:");
  if (i < 0) return null;
  const rest = text.slice(i + 13).trim();
  if (!rest.startsWith("ignore")) return null;
  const after = rest.slice(6);
  if (!after.startsWith("[")) return new Set(["*"]);
  const close = after.indexOf("]");
  const ids = after
    .slice(1, close < 0 ? undefined : close)
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return new Set(ids.length === 0 ? ["*"] : ids);
}

const PATCH_CALLS = new Map<string, { kind: PatchKind; how: string }>([
  ["gevent.monkey.patch_all", { kind: "gevent", how: "patch_all" }],
  ["gevent.monkey.patch_socket", { kind: "gevent", how: "patch_socket" }],
  ["gevent.monkey.patch_ssl", { kind: "gevent", how: "patch_ssl" }],
  ["gevent.monkey.patch_select", { kind: "gevent", how: "patch_select" }],
  ["gevent.monkey.patch_thread", { kind: "gevent", how: "patch_thread" }],
  ["eventlet.monkey_patch", { kind: "eventlet", how: "monkey_patch" }],
  ["eventlet.patcher.monkey_patch", { kind: "eventlet", how: "monkey_patch" }],
]);

/** Modules that patch with gevent as a side effect of being imported. */
const PATCHING_IMPORTS = new Map<string, string>([
  ["grequests", "import grequests"],
  ["locust", "import locust"],
]);

export function extractFacts(parser: PythonParser, path: string, source: string): FileFacts {
  const tree = parser.parse(source);
  const lines = source.split(/\r\n|\r|\n/);
  const facts: FileFacts = {
    path,
    lines,
    imports: [],
    calls: [],
    patches: [],
    suppressions: new Map(),
    hasSyntaxError: false,
  };
  if (tree === null) return facts;
  try {
    facts.hasSyntaxError = tree.rootNode.hasError;
    const captures = parser.query.captures(tree.rootNode);
    const importNodes: Node[] = [];
    const callNodes: Array<{ call: Node; fn: Node }> = [];
    for (const c of captures) {
      if (c.name === "import") {
        importNodes.push(c.node);
        continue;
      }
      // Cheap filter on the called name before touching the call node.
      if (!INTERESTING_CALLS.has(c.node.text)) continue;
      const parent = c.node.parent;
      const call = parent?.type === "call" ? parent : parent?.parent;
      const fn = call?.childForFieldName("function");
      if (call && fn && call.type === "call") callNodes.push({ call, fn });
    }
    if (source.includes("async-doctor:")) {
      for (const c of parser.comments.captures(tree.rootNode)) {
        const s = parseSuppression(c.node.text);
        if (s) facts.suppressions.set(c.node.startPosition.row + 1, s);
      }
    }
    for (const n of importNodes) facts.imports.push(importFact(n, ancestry(n)));
    const aliases = buildAliases(importNodes);

    for (const { call, fn } of callNodes) {
      const raw = fn.text;
      const a = ancestry(call);
      const kwargs = new Map<string, string>();
      let hasStarArgs = false;
      const args = call.childForFieldName("arguments");
      let closeParen: CallFact["closeParen"] = null;
      if (args !== null && args.type === "argument_list") {
        for (const arg of args.namedChildren) {
          if (arg === null) continue;
          if (arg.type === "keyword_argument") {
            const k = arg.childForFieldName("name")?.text;
            const v = arg.childForFieldName("value")?.text;
            if (k && v !== undefined) kwargs.set(k, v);
          } else if (arg.type === "dictionary_splat" || arg.type === "list_splat") hasStarArgs = true;
        }
        const last = args.lastChild;
        if (last !== null && last.type === ")")
          closeParen = { line: last.startPosition.row + 1, column: last.startPosition.column };
      }
      const parent = call.parent;
      let boundTo: string | null = null;
      if (parent?.type === "assignment" && parent.childForFieldName("right")?.id === call.id) {
        const left = parent.childForFieldName("left");
        if (left?.type === "identifier") boundTo = left.text;
      } else if (parent?.type === "as_pattern") {
        const target = parent.childForFieldName("alias");
        if (target) boundTo = target.text.trim();
      }
      let statementLines: CallFact["statementLines"] = null;
      if (parent?.type === "expression_statement" && parent.namedChildCount === 1) {
        const stmt = parent;
        const first = lines[stmt.startPosition.row] ?? "";
        const lastLine = lines[stmt.endPosition.row] ?? "";
        // Only when nothing else shares those lines.
        if (
          first.slice(0, stmt.startPosition.column).trim() === "" &&
          lastLine.slice(stmt.endPosition.column).trim().replace(/^#.*$/, "") === ""
        )
          statementLines = { start: stmt.startPosition.row + 1, end: stmt.endPosition.row + 1 };
      }
      const fact: CallFact = {
        ...span(call),
        qualified: resolve(raw, aliases),
        raw,
        kwargs,
        hasStarArgs,
        moduleLevel: a.moduleLevel,
        asyncDef: a.asyncDef?.childForFieldName("name")?.text ?? null,
        asyncDefLine: a.asyncDef ? a.asyncDef.startPosition.row + 1 : null,
        awaited: parent?.type === "await",
        boundTo,
        closeParen,
        statementLines,
      };
      facts.calls.push(fact);
      const patch = PATCH_CALLS.get(fact.qualified);
      if (patch)
        facts.patches.push({
          ...span(call),
          kind: patch.kind,
          how: patch.how,
          kwargs,
          moduleLevel: a.moduleLevel,
        });
    }
    for (const imp of facts.imports) {
      for (const t of imp.targets) {
        const how = PATCHING_IMPORTS.get(t) ?? PATCHING_IMPORTS.get(imp.module);
        if (how && !imp.inTypeChecking) {
          facts.patches.push({
            line: imp.line,
            column: imp.column,
            endLine: imp.endLine,
            endColumn: imp.endColumn,
            kind: "gevent",
            how,
            kwargs: new Map(),
            moduleLevel: imp.moduleLevel,
          });
          break;
        }
      }
    }
    facts.patches.sort((x, y) => x.line - y.line || x.column - y.column);
  } finally {
    tree.delete();
  }
  return facts;
}

/**
 * Prefilter: could any rule fire here? Patch rules need a patcher name; trio-import-unguarded
 * needs "trio"; blocking-db-in-async needs "async" and a sync driver name. Alternations of
 * literals, run on a latin1 view of the bytes (no decoding): linear, and measured at GB/s.
 */
const ANY_NEEDLE = /gevent|eventlet|grequests|locust|trio|async/;
const NEEDLES = /gevent|eventlet|grequests|locust|trio/;
const DB_NEEDLES = /mysql|MySQLdb|psycopg2|sqlite3|pymysql/;

export function prefilter(buf: Uint8Array | string): boolean {
  const s =
    typeof buf === "string"
      ? buf
      : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString("latin1");
  if (!ANY_NEEDLE.test(s)) return false; // the common case: one pass
  if (NEEDLES.test(s)) return true;
  return s.includes("async") && DB_NEEDLES.test(s);
}
