/**
 * The App's own package: the Dockerfile's runtime stage installs app/package.json's dependencies
 * (the top package, the command line, has none) beside the compiled dist/. Done here as the image
 * does it, in an empty folder: everything the compiled App imports is installed, nothing of the
 * build or test tools is, and the App starts far enough to check its settings.
 */
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const ROOT = new URL("../../", import.meta.url).pathname;
const image = mkdtempSync(join(tmpdir(), "ad-app-"));

function run(cmd: string, args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(cmd, args, { cwd: image, env: { ...process.env, ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * The JavaScript files of the compiled App: dist/ without the command line (`cli/`, shipped as
 * the bundle; the App imports none of it), the bundle and the page.
 */
function appFiles(dir = join(ROOT, "dist")): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    const rel = relative(join(ROOT, "dist"), p);
    if (e.isDirectory()) {
      if (rel !== "bundle" && rel !== "playground" && rel !== "cli") for (const f of appFiles(p)) out.push(f);
    } else if (e.name.endsWith(".js")) out.push(p);
  }
  return out;
}

/** The packages a compiled module imports (static and dynamic imports of bare names). */
function packagesOf(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const t = line.trim();
    if (!t.startsWith("import") && !t.startsWith("export") && !t.includes("import(")) continue;
    for (const quote of ['"', "'"]) {
      for (const marker of [`from ${quote}`, `import(${quote}`, `import ${quote}`]) {
        let at = t.indexOf(marker);
        while (at >= 0) {
          const start = at + marker.length;
          const end = t.indexOf(quote, start);
          if (end < 0) break;
          const spec = t.slice(start, end);
          if (!spec.startsWith(".") && !spec.startsWith("node:") && !builtinModules.includes(spec)) {
            const parts = spec.split("/");
            out.push(spec.startsWith("@") ? `${parts[0]}/${parts[1]}` : (parts[0] as string));
          }
          at = t.indexOf(marker, end);
        }
      }
    }
  }
  return out;
}

beforeAll(async () => {
  expect(existsSync(join(ROOT, "dist", "main.js")), "run `npm run build` first").toBe(true);
  // The Dockerfile's runtime stage: package.json, the lock file and app/package.json, then the
  // production install, then the compiled dist/ and app.yml.
  mkdirSync(join(image, "app"));
  for (const f of ["package.json", "package-lock.json", "app/package.json", "app.yml"])
    cpSync(join(ROOT, f), join(image, f));
  const install = await run("npm", [
    "ci",
    "--omit=dev",
    "--ignore-scripts",
    "--prefer-offline",
    "--no-audit",
    "--no-fund",
  ]);
  expect(install.code, install.stderr).toBe(0);
  cpSync(join(ROOT, "dist"), join(image, "dist"), { recursive: true });
}, 240_000);

describe("the App's package", () => {
  it("is what the Dockerfile's runtime stage installs", () => {
    const docker = readFileSync(join(ROOT, "Dockerfile"), "utf8");
    const runtime = docker.slice(docker.lastIndexOf("\nFROM "));
    expect(runtime).toContain("COPY app/package.json ./app/");
    expect(runtime).toContain("npm ci --omit=dev --ignore-scripts");
  });

  it("installs every package the compiled App imports, and none of the build or test tools", () => {
    // The App never loads the command line's modules (which the bundle carries).
    for (const f of appFiles()) expect(readFileSync(f, "utf8"), f).not.toMatch(/from "\.\.?\/(\.\.\/)*cli\//);
    const wanted = new Set(appFiles().flatMap((f) => packagesOf(readFileSync(f, "utf8"))));
    expect([...wanted]).toEqual(expect.arrayContaining(["probot", "bullmq", "ioredis", "zod"]));
    for (const name of wanted) expect(existsSync(join(image, "node_modules", name)), name).toBe(true);
    for (const tool of ["typescript", "vitest", "esbuild", "playwright-core", "@biomejs/biome", "nock"])
      expect(existsSync(join(image, "node_modules", tool)), tool).toBe(false);
  });

  it("starts far enough to refuse production without credentials (every module it loads is there)", async () => {
    const r = await run(process.execPath, ["dist/main.js"], {
      NODE_ENV: "production",
      APP_ID: "",
      PRIVATE_KEY: "",
      PRIVATE_KEY_PATH: "",
      WEBHOOK_SECRET: "a-secret",
    });
    expect(r.stderr).not.toContain("ERR_MODULE_NOT_FOUND");
    expect(r.stderr).toContain("APP_ID is not set");
    expect(r.code).not.toBe(0);
  });
});
