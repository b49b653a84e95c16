/**
 * The tree-sitter Python grammar, loaded once per process. This is the only module of the
 * core that touches a resource: the grammar's .wasm, shipped in the package (`dist/grammar/`,
 * copied from tree-sitter-python at build time, so installing needs no native build) or, in a
 * checkout running the TypeScript sources, read from tree-sitter-python itself.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Language, Parser, Query, type Tree } from "web-tree-sitter";
import { budgetMs } from "../budget.js";

export interface PythonParser {
  /** Parse within the time budget (default `parseBudgetMs(source)`); null when it ran out. */
  parse(source: string, budgetMs?: number): Tree | null;
  query: Query;
}

/** One file's parse may take the input budget of its size (budget.ts); past it, it is given up. */
function parseBudgetMs(source: string): number {
  return budgetMs(source.length);
}

/** Imports, and the name of every called function (the call is its parent or grandparent). */
const QUERY = `
(import_statement) @import
(import_from_statement) @import
(call function: (identifier) @name)
(call function: (attribute attribute: (identifier) @name))
(class_definition superclasses: (argument_list) @bases)
`;

let loading: Promise<PythonParser> | null = null;

/**
 * Where the WebAssembly comes from outside Node (the playground): the runtime's own file and the
 * grammar, as URLs. Set before the first parse; in Node the files are found on disk.
 */
export interface WasmLocation {
  runtime: string;
  grammar: string;
}

let located: WasmLocation | null = null;

export function locateWasm(where: WasmLocation): void {
  located = where;
}

/**
 * The grammar file: beside the code (the command-line bundle), beside the compiled core
 * (`dist/grammar/`), else from the tree-sitter-python package.
 */
function grammarPath(): string {
  for (const at of ["./tree-sitter-python.wasm", "../../grammar/tree-sitter-python.wasm"]) {
    const shipped = fileURLToPath(new URL(at, import.meta.url));
    if (existsSync(shipped)) return shipped;
  }
  return createRequire(import.meta.url).resolve("tree-sitter-python/tree-sitter-python.wasm");
}

export function loadPythonParser(): Promise<PythonParser> {
  if (loading === null) {
    loading = (async () => {
      const where = located;
      await (where ? Parser.init({ locateFile: () => where.runtime }) : Parser.init());
      const lang = await Language.load(where ? where.grammar : grammarPath());
      const parser = new Parser();
      parser.setLanguage(lang);
      const query = new Query(lang, QUERY);
      return {
        query,
        parse: (source: string, budgetMs = parseBudgetMs(source)) => {
          const deadline = performance.now() + budgetMs;
          const tree = parser.parse(source, null, {
            // Returning true cancels the parse.
            progressCallback: (() => performance.now() > deadline) as () => void,
          });
          if (tree === null) parser.reset();
          return tree;
        },
      };
    })();
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}
