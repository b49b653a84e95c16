// The command-line package as a user gets it: `npm pack` of dist/bundle/ (built by `npm run
// build`), then `npm install` of the tarball into an empty folder. Its size on disk and the
// install's time are the figures; the package has no dependencies, so nothing is fetched.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = new URL("../", import.meta.url).pathname;

function sizeOf(dir) {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? sizeOf(p) : e.isFile() ? statSync(p).size : 0;
  }
  return n;
}

export function packageRows() {
  const work = mkdtempSync(join(tmpdir(), "ad-bench-pkg-"));
  try {
    const [info] = JSON.parse(
      execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", work], {
        cwd: ROOT,
        encoding: "utf8",
      }),
    );
    const times = [];
    let installed = 0;
    let packages = 0;
    for (let i = 0; i < 3; i++) {
      const dest = join(work, `install-${i}`);
      mkdirSync(dest);
      const t = performance.now();
      const r = spawnSync(
        "npm",
        ["install", "--no-audit", "--no-fund", "--offline", "--omit=dev", join(work, info.filename)],
        { cwd: dest, encoding: "utf8" },
      );
      times.push(performance.now() - t);
      if (r.status !== 0) throw new Error(`npm install of the tarball failed: ${r.stderr}`);
      installed = sizeOf(join(dest, "node_modules"));
      packages = readdirSync(join(dest, "node_modules")).filter((n) => !n.startsWith(".")).length;
    }
    const installMs = times.sort((a, b) => a - b)[1];
    const mib = installed / 1024 / 1024;
    return {
      ok: mib <= 10 && installMs <= 10_000,
      rows: [
        [
          "CLI package",
          `${(info.size / 1024).toFixed(0)} KiB packed, ${info.files.length} files; installed ${mib.toFixed(2)} MiB in ${packages} package(s) (target <= 10 MiB)`,
        ],
        ["CLI package install", `${(installMs / 1000).toFixed(2)} s median of 3 (target <= 10 s)`],
      ],
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
