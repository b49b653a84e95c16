// `npm pack` and `npm publish` build the one folder the package ships, the command-line bundle
// (dist/bundle/). This is `prepack`, not `prepare`: npm lists a package's `prepare` among the
// install scripts it asks its users to approve, and installing the command line runs nothing.
// pre-commit installs a hook repository by `npm install` and then `npm pack` in it, so this runs
// there too. Nothing goes to stdout: `npm pack` prints the tarball's name there, and pre-commit
// reads it. Where the sources or esbuild are absent (an unpacked tarball) there is nothing to do.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";

const root = new URL("../", import.meta.url);
const hasEsbuild = () => {
  try {
    createRequire(import.meta.url).resolve("esbuild/package.json");
    return true;
  } catch {
    return false;
  }
};
if (!existsSync(new URL("src/index.ts", root)) || !hasEsbuild()) process.exit(0);
const step = spawnSync(process.execPath, ["scripts/bundle-cli.mjs"], {
  cwd: root,
  stdio: ["ignore", 2, 2],
});
process.exit(step.status ?? 1);
