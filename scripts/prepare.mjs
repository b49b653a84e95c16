// `npm install` in a checkout builds dist/ (TypeScript, then the grammar). Where the sources or
// the TypeScript compiler are absent — an installed package — there is nothing to build, and
// nothing is asked of the machine.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";

const root = new URL("../", import.meta.url);
let compiler = false;
try {
  createRequire(import.meta.url).resolve("typescript/package.json");
  compiler = true;
} catch {}
if (existsSync(new URL("src/index.ts", root)) && compiler) {
  const r = spawnSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" });
  process.exit(r.status ?? 1);
}
