// `npm install` in a checkout builds dist/ (TypeScript, the grammar, the playground, the
// command-line bundle); `npm pack` needs only the bundle, the package's one folder. Where the
// sources or the build tools are absent there is nothing to build. Nothing goes to stdout:
// `npm pack` prints the tarball's name there, and pre-commit reads it.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";

const root = new URL("../", import.meta.url);
const has = (name) => {
  try {
    createRequire(import.meta.url).resolve(`${name}/package.json`);
    return true;
  } catch {
    return false;
  }
};
if (!existsSync(new URL("src/index.ts", root))) process.exit(0);
// Every line the build prints goes to stderr (npm's own banners of a nested `npm run` included).
const quiet = { cwd: root, stdio: ["ignore", 2, 2] };
const step =
  process.env.npm_command === "pack" || process.env.npm_command === "publish"
    ? has("esbuild") && spawnSync(process.execPath, ["scripts/bundle-cli.mjs"], quiet)
    : has("typescript") && spawnSync("npm", ["run", "--silent", "build"], quiet);
if (step) process.exit(step.status ?? 1);
