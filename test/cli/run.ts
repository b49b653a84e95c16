/** Runs the built CLI as a user would (a child process), with optional cwd, env and stdin. */
import { execFile } from "node:child_process";

export const CLI = new URL("../../dist/cli/index.js", import.meta.url).pathname;

export function cli(
  args: string[],
  opts: { input?: string; cwd?: string; env?: Record<string, string> } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      "node",
      [CLI, ...args],
      {
        maxBuffer: 64 * 1024 * 1024,
        ...(opts.cwd ? { cwd: opts.cwd } : {}),
        env: { PATH: process.env.PATH ?? "", ...(opts.env ?? {}) },
      },
      (err, stdout, stderr) => {
        // Killed by a signal: no exit code; say so instead of passing for "findings" (1).
        const code = err ? (err as { code?: number | null }).code : 0;
        resolve({ code: typeof code === "number" ? code : 128, stdout, stderr });
      },
    );
    child.stdin?.end(opts.input);
  });
}
