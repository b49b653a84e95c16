/**
 * Reading a tree-sitter Python syntax tree: spans, the enclosing function/try/TYPE_CHECKING
 * context of a node, import aliases and their resolution, and inline suppression comments.
 */
import type { Node } from "web-tree-sitter";
import { append } from "../append.js";
import type { ImportFact, Span, TryContext } from "./facts.js";

export function span(n: Node): Span {
  return {
    line: n.startPosition.row + 1,
    column: n.startPosition.column + 1,
    endLine: n.endPosition.row + 1,
    endColumn: n.endPosition.column + 1,
  };
}

export function isAsyncDef(n: Node): boolean {
  return n.type === "function_definition" && n.child(0)?.type === "async";
}

export interface Ancestry {
  moduleLevel: boolean;
  asyncDef: Node | null;
  inTry: TryContext | null;
  inTypeChecking: boolean;
  /** Under an `if` on an environment variable (`os.getenv(...)`, `os.environ...`). */
  behindEnvFlag: boolean;
}

export function exceptNames(header: string): string[] {
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

const EXIT_CALLS = new Set(["sys.exit", "os._exit", "exit", "quit"]);

/** Does this handler body end the program or re-raise (as its last top-level statement)? */
function handlerExits(clause: Node): boolean {
  return blockExits(clause.namedChildren.find((c) => c?.type === "block"));
}

/** Does the block's last top-level statement end the program or raise? */
function blockExits(block: Node | null | undefined): boolean {
  const last = block?.namedChildren[block.namedChildren.length - 1];
  if (!last) return false;
  if (last.type === "raise_statement") return true;
  const expr = last.type === "expression_statement" ? last.namedChildren[0] : null;
  if (expr?.type !== "call") return false;
  return EXIT_CALLS.has((expr.childForFieldName("function")?.text ?? "").replace(/\s+/g, ""));
}

export function tryContext(tryNode: Node): TryContext {
  const catches: string[] = [];
  let exceptLine = 0;
  let exceptHeader = "";
  let handlers = 0;
  let exiting = 0;
  for (const child of tryNode.namedChildren) {
    if (child === null || child.type !== "except_clause") continue;
    const header = (child.text.split("\n")[0] ?? "").trim();
    if (exceptLine === 0) {
      exceptLine = child.startPosition.row + 1;
      exceptHeader = header;
    }
    append(catches, exceptNames(header));
    handlers++;
    if (handlerExits(child)) exiting++;
  }
  return {
    catches,
    tryLine: tryNode.startPosition.row + 1,
    exceptLine,
    exceptHeader,
    handlersExit: handlers > 0 && exiting === handlers,
    detector:
      blockExits(tryNode.childForFieldName("body")) ||
      tryNode.namedChildren.some((c) => c?.type === "else_clause" && handlerExits(c)),
  };
}

export function ancestry(node: Node): Ancestry {
  let moduleLevel = true;
  let asyncDef: Node | null = null;
  let sawFunction = false;
  let inTry: TryContext | null = null;
  let inTypeChecking = false;
  let behindEnvFlag = false;
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
      if (cond && (cond.text.includes("environ") || cond.text.includes("getenv"))) behindEnvFlag = true;
    }
    child = p;
    p = p.parent;
  }
  return { moduleLevel, asyncDef, inTry, inTypeChecking, behindEnvFlag };
}

/** Map local names to qualified modules from the file's imports. */
export function buildAliases(importNodes: Node[]): Map<string, string> {
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

export function resolve(raw: string, aliases: Map<string, string>): string {
  const compact = raw.replace(/\s+/g, "");
  const dot = compact.indexOf(".");
  const head = dot < 0 ? compact : compact.slice(0, dot);
  const mapped = aliases.get(head);
  if (mapped === undefined) return compact;
  return dot < 0 ? mapped : mapped + compact.slice(dot);
}

export function importFact(n: Node, a: Ancestry): ImportFact {
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
    behindEnvFlag: a.behindEnvFlag,
  };
}

export function parseSuppression(text: string): { file: boolean; rules: Set<string> } | null {
  const i = text.indexOf("async-doctor:");
  if (i < 0) return null;
  const rest = text.slice(i + 13).trim();
  const file = rest.startsWith("ignore-file");
  if (!file && !rest.startsWith("ignore")) return null;
  const after = rest.slice(file ? 11 : 6);
  if (!after.startsWith("[")) return { file, rules: new Set(["*"]) };
  const close = after.indexOf("]");
  const ids = after
    .slice(1, close < 0 ? undefined : close)
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return { file, rules: new Set(ids.length === 0 ? ["*"] : ids) };
}
