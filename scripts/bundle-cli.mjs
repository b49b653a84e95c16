// Builds the command-line package's contents into dist/bundle/ (esbuild, straight from src/): the
// `async-doctor` executable and its parsing thread as ES modules with their shared chunks, the two
// WebAssembly files, and the licences of the packages bundled in. Nothing is installed with it:
// no App, no dependencies. Quiet on stdout (`npm pack`'s output is the tarball's name); the size
// goes to stderr.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { build } from "esbuild";

const require = createRequire(import.meta.url);
const root = new URL("../", import.meta.url);
const out = new URL("dist/bundle/", root);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const pkg = JSON.parse(readFileSync(new URL("package.json", root), "utf8"));

const result = await build({
  absWorkingDir: new URL(".", root).pathname,
  entryPoints: { "async-doctor": "src/cli/index.ts", "scan-worker": "src/cli/scan-worker.ts" },
  outdir: out.pathname,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  minify: true,
  legalComments: "none",
  // Bundled CommonJS packages call require() for Node's own modules.
  banner: {
    js: 'import { createRequire as __adCreateRequire } from "node:module"; const require = __adCreateRequire(import.meta.url);',
  },
  define: { ASYNC_DOCTOR_VERSION: JSON.stringify(pkg.version) },
  metafile: true,
  logLevel: "warning",
});

// One flat folder: the parsing thread is started as `./scan-worker.js` beside the chunk that
// starts it, and web-tree-sitter finds its WebAssembly beside its own chunk.
for (const f of Object.keys(result.metafile.outputs))
  if (dirname(f) !== dirname(Object.keys(result.metafile.outputs)[0] ?? f))
    throw new Error(`${f} is not beside the entry points`);

copyFileSync(require.resolve("web-tree-sitter/web-tree-sitter.wasm"), new URL("web-tree-sitter.wasm", out));
copyFileSync(
  require.resolve("tree-sitter-python/tree-sitter-python.wasm"),
  new URL("tree-sitter-python.wasm", out),
);

// The licences of what is bundled in: each package once, with its licence file's text.
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const at = input.lastIndexOf("node_modules/");
  if (at < 0) continue;
  const parts = input.slice(at + "node_modules/".length).split("/");
  const name = parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
  packages.set(name, join(input.slice(0, at), "node_modules", name));
}
const notices = [];
for (const [name, dir] of [...packages].sort()) {
  const meta = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const text = readLicense(dir, meta.license);
  notices.push(`${name}@${meta.version}\n${"-".repeat(name.length + meta.version.length + 1)}\n${text}\n`);
}
notices.push(
  `tree-sitter-python (tree-sitter-python.wasm)\n${readLicense(dirname(require.resolve("tree-sitter-python/package.json")), "MIT")}\n`,
);
writeFileSync(new URL("THIRD_PARTY_LICENSES.txt", out), `${notices.join("\n")}`);

/** A package's licence file's text, else its declared licence. */
function readLicense(dir, declared) {
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)/i.test(f));
  return file ? readFileSync(join(dir, file), "utf8").trim() : `License: ${declared ?? "see the package"}`;
}

const sizeOf = (dir) =>
  readdirSync(dir, { withFileTypes: true }).reduce(
    (n, e) => n + (e.isDirectory() ? sizeOf(join(dir, e.name)) : statSync(join(dir, e.name)).size),
    0,
  );
if (!existsSync(new URL("async-doctor.js", out))) throw new Error("the bundle has no async-doctor.js");
process.stderr.write(`bundle: dist/bundle/, ${(sizeOf(out.pathname) / 1024 / 1024).toFixed(2)} MiB\n`);
