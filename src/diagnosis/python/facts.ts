/**
 * Per-file facts extracted from a Python syntax tree: imports, resolved calls, async-def context
 * and inline suppressions. Code rules work on these facts only; what a call means is theirs to say.
 */
import type { Node } from "web-tree-sitter";
import type { FileContext } from "../project/project.js";
import { neutralizeComments } from "./neutralize.js";
import type { PythonParser } from "./parser.js";
import { ancestry, buildAliases, importFact, parseSuppression, resolve, span } from "./syntax.js";

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
  /** Every handler ends the program or re-raises (`raise`, `sys.exit()`, `os._exit()`). */
  handlersExit: boolean;
  /**
   * A detector: success ends the program or raises (the `else:` block, or the rest of the try
   * body, ends in `raise` / `sys.exit()`): the import checks that a module is absent.
   */
  detector: boolean;
}

export interface ImportFact extends Span {
  /** `import a.b` -> ["a.b"]; `from a import b, c` -> ["a.b", "a.c"] plus module "a". */
  module: string;
  targets: string[];
  moduleLevel: boolean;
  inTry: TryContext | null;
  inTypeChecking: boolean;
  /** Under an `if` on an environment variable: runs only when someone sets it. */
  behindEnvFlag: boolean;
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

/** A class definition with the base classes some rule asked about. */
export interface ClassFact extends Span {
  name: string;
  /** Dotted base names after alias resolution, e.g. `ssl.SSLContext`. */
  bases: string[];
  moduleLevel: boolean;
}

/** The names worth resolving (the registry derives them from the rules' needs). */
export interface Wanted {
  /** Last segments of called names (`patch_all`, `Runner`). */
  calls: ReadonlySet<string>;
  /** Last segments of base-class names (`SSLContext`). */
  bases: ReadonlySet<string>;
}

export interface FileFacts {
  path: string;
  lines: string[];
  imports: ImportFact[];
  calls: CallFact[];
  classes: ClassFact[];
  /** line -> rule ids suppressed there ("*" for all): `# async-doctor: ignore[rule]`. */
  suppressions: Map<number, Set<string>>;
  /** Rule ids suppressed in the whole file ("*" for all), by line: `# async-doctor: ignore-file[rule]`. */
  fileSuppressions: Map<number, Set<string>>;
  /** The parse stopped (its time budget ran out): the facts are empty. */
  incomplete?: boolean;
  hasSyntaxError: boolean;
  /** What the project says about this module (how it runs, its dependencies), when known. */
  context?: FileContext;
}

/**
 * Extract the facts of one file. `wanted` names the calls and base classes worth resolving (the
 * registry derives them from the rules): everything else is skipped cheaply.
 */
export function extractFacts(parser: PythonParser, path: string, source: string, wanted: Wanted): FileFacts {
  // Comments blanked first (tree-sitter is quadratic in comment runs); lines keep their text.
  const { text, marked } = neutralizeComments(source);
  const tree = parser.parse(text);
  const lines = source.split(/\r\n|\r|\n/);
  const facts: FileFacts = {
    path,
    lines,
    imports: [],
    calls: [],
    classes: [],
    suppressions: new Map(),
    fileSuppressions: new Map(),
    hasSyntaxError: false,
  };
  for (const m of marked) {
    const s = parseSuppression(m.text);
    if (s) (s.file ? facts.fileSuppressions : facts.suppressions).set(m.line, s.rules);
  }
  if (tree === null) {
    facts.incomplete = true;
    return facts;
  }
  try {
    facts.hasSyntaxError = tree.rootNode.hasError;
    const captures = parser.query.captures(tree.rootNode);
    const importNodes: Node[] = [];
    const callNodes: Array<{ call: Node; fn: Node }> = [];
    const baseLists: Node[] = [];
    for (const c of captures) {
      if (c.name === "import") {
        importNodes.push(c.node);
        continue;
      }
      // Cheap filter on the called name before touching the call node.
      if (c.name === "bases") {
        baseLists.push(c.node);
        continue;
      }
      if (!wanted.calls.has(c.node.text)) continue;
      const parent = c.node.parent;
      const call = parent?.type === "call" ? parent : parent?.parent;
      const fn = call?.childForFieldName("function");
      if (call && fn && call.type === "call") callNodes.push({ call, fn });
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
    }
    for (const list of baseLists) {
      const cls = list.parent;
      if (cls === null) continue;
      const bases: string[] = [];
      for (const b of list.namedChildren) {
        if (b === null || (b.type !== "identifier" && b.type !== "attribute")) continue;
        const tail = b.text.slice(b.text.lastIndexOf(".") + 1);
        if (wanted.bases.has(tail)) bases.push(resolve(b.text, aliases));
      }
      if (bases.length === 0) continue;
      facts.classes.push({
        ...span(cls),
        name: cls.childForFieldName("name")?.text ?? "",
        bases,
        moduleLevel: ancestry(cls).moduleLevel,
      });
    }
  } finally {
    tree.delete();
  }
  return facts;
}
