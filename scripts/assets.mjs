// Copies the files the compiled package needs besides JavaScript into dist/: the Python grammar
// (WebAssembly, from tree-sitter-python), so that installing the package builds nothing.
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const root = new URL("../", import.meta.url);
mkdirSync(new URL("dist/grammar/", root), { recursive: true });
copyFileSync(
  require.resolve("tree-sitter-python/tree-sitter-python.wasm"),
  new URL("dist/grammar/tree-sitter-python.wasm", root),
);
