/**
 * The tree-sitter Python grammar, loaded once per process. This is the only module of the
 * core that touches a resource (the grammar's .wasm shipped in tree-sitter-python).
 */
import { createRequire } from "node:module";
import { Language, Parser, Query, type Tree } from "web-tree-sitter";

export interface PythonParser {
  parse(source: string): Tree | null;
  query: Query;
  comments: Query;
}

/** Imports, and the name of every called function (the call is its parent or grandparent). */
const QUERY = `
(import_statement) @import
(import_from_statement) @import
(call function: (identifier) @name)
(call function: (attribute attribute: (identifier) @name))
(class_definition superclasses: (argument_list) @bases)
`;

/** Comments, queried only when a file mentions a suppression at all. */
const COMMENT_QUERY = "(comment) @comment";

let loading: Promise<PythonParser> | null = null;

export function loadPythonParser(): Promise<PythonParser> {
  if (loading === null) {
    loading = (async () => {
      await Parser.init();
      const require = createRequire(import.meta.url);
      const lang = await Language.load(require.resolve("tree-sitter-python/tree-sitter-python.wasm"));
      const parser = new Parser();
      parser.setLanguage(lang);
      const query = new Query(lang, QUERY);
      const comments = new Query(lang, COMMENT_QUERY);
      return {
        query,
        comments,
        parse: (source: string) => parser.parse(source),
      };
    })();
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}
