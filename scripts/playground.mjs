// Builds the playground into dist/playground/ (esbuild: one ES module with the engine, the page,
// its style and the two WebAssembly files), prints the bundle's size, and with `--serve [PORT]`
// serves it locally (`npm run playground`).
import { copyFileSync, mkdirSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { build } from "esbuild";

const require = createRequire(import.meta.url);
const root = new URL("../", import.meta.url);
const out = new URL("dist/playground/", root);
const src = new URL("src/playground/web/", root);
mkdirSync(out, { recursive: true });

// The core's Node-only branches (finding the grammar on disk) are never taken in the page.
const nodeStubs = {
  name: "node-stubs",
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: "node-stub" }));
    b.onLoad({ filter: /.*/, namespace: "node-stub" }, () => ({
      contents:
        "export const existsSync = () => false; export const createRequire = () => ({ resolve() { throw new Error('not in a browser'); } }); export const fileURLToPath = (u) => String(u);",
      loader: "js",
    }));
  },
};

// The App's default configuration, computed by the compiled schema (so zod stays out of the page).
const { DEFAULT_CONFIG } = await import(new URL("dist/config/schema.js", root).href);

await build({
  entryPoints: [new URL("main.ts", src).pathname],
  outfile: new URL("app.js", out).pathname,
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  legalComments: "eof",
  plugins: [nodeStubs],
  define: { __DEFAULT_CONFIG__: JSON.stringify(DEFAULT_CONFIG) },
  logLevel: "warning",
});
copyFileSync(new URL("index.html", src), new URL("index.html", out));
copyFileSync(new URL("style.css", src), new URL("style.css", out));
copyFileSync(require.resolve("web-tree-sitter/web-tree-sitter.wasm"), new URL("web-tree-sitter.wasm", out));
copyFileSync(
  require.resolve("tree-sitter-python/tree-sitter-python.wasm"),
  new URL("tree-sitter-python.wasm", out),
);
const files = ["index.html", "style.css", "app.js", "web-tree-sitter.wasm", "tree-sitter-python.wasm"];
const total = files.reduce((n, f) => n + statSync(new URL(f, out)).size, 0);
process.stderr.write(
  `playground: dist/playground/, ${(total / 1024 / 1024).toFixed(2)} MiB (${files.join(", ")})\n`,
);

const serveAt = process.argv.indexOf("--serve");
if (serveAt >= 0) {
  const port = Number(process.argv[serveAt + 1] ?? 8080);
  const { servePlayground } = await import(new URL("dist/server/static.js", root).href);
  const server = createServer((req, res) => {
    if (req.url === "/" || req.url === "") {
      res.writeHead(302, { location: "/playground/" }).end();
      return;
    }
    if (!servePlayground(req, res)) res.writeHead(404).end("not found\n");
  });
  server.on("error", (e) => {
    const why =
      e.code === "EADDRINUSE"
        ? "is in use (a playground already running?)"
        : `cannot be used (${e.code ?? e.message})`;
    process.stderr.write(
      `playground: 127.0.0.1:${port} ${why}; serve on another port: node scripts/playground.mjs --serve ${port + 1}\n`,
    );
    process.exit(1);
  });
  server.listen(port, "127.0.0.1", () =>
    process.stdout.write(`playground: http://127.0.0.1:${port}/playground/\n`),
  );
}
