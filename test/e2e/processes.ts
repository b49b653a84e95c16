/** The compiled App as child processes, started from a clean directory laid out like the Docker image. */
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdtempSync, symlinkSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = new URL("../../", import.meta.url).pathname;

/** The environment of an App in production against a local GitHub stand-in on `apiPort`. */
export function appEnv(apiPort: number, secret: string, key: string, extra: Record<string, string> = {}) {
  return {
    NODE_ENV: "production",
    APP_ID: "123",
    PRIVATE_KEY: key,
    WEBHOOK_SECRET: secret,
    GHE_HOST: `127.0.0.1:${apiPort}`,
    GHE_PROTOCOL: "http",
    HOST: "127.0.0.1",
    ...extra,
  };
}

export function cleanDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "ad-app-"));
  cpSync(join(ROOT, "dist"), join(dir, "dist"), { recursive: true });
  cpSync(join(ROOT, "package.json"), join(dir, "package.json"));
  cpSync(join(ROOT, "app.yml"), join(dir, "app.yml"));
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  return dir;
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export function start(
  dir: string,
  env: Record<string, string>,
  args: string[] = [],
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let out = "";
  const child = spawn("node", ["dist/main.js", ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d) => {
    out += d;
  });
  child.stderr?.on("data", (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => out, exited };
}

export async function waitFor(url: string, ms = 20_000): Promise<Response> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await fetch(url);
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** `n` web replicas on free ports, each answering `/healthz` before this resolves. */
export async function startWebs(
  dir: string,
  env: Record<string, string>,
  n = 2,
): Promise<{ base: string; port: number; run: ReturnType<typeof start> }[]> {
  const webs: { base: string; port: number; run: ReturnType<typeof start> }[] = [];
  for (let i = 0; i < n; i++) {
    const port = await freePort();
    const run = start(dir, { ...env, PORT: String(port) }, ["web"]);
    webs.push({ base: `http://127.0.0.1:${port}`, port, run });
    await waitFor(`http://127.0.0.1:${port}/healthz`);
  }
  return webs;
}
