/**
 * Terminal niceties and CI output: colour only on a terminal and never with NO_COLOR, a progress
 * line for long scans on a terminal. What is printed is rendered by report/terminal.ts.
 */
import type { Paint } from "../report/terminal.js";

export interface Stream {
  isTTY?: boolean;
  write(s: string): unknown;
}

/** Colour on a terminal unless NO_COLOR is set (non-empty) or TERM is dumb; FORCE_COLOR forces it. */
export function colourFor(stream: Stream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "" && env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true && env.TERM !== "dumb";
}

const CODES = { bold: [1, 22], dim: [2, 22], red: [31, 39], yellow: [33, 39], cyan: [36, 39] } as const;

export function painter(on: boolean): Paint {
  return on ? (code, s) => `\u001b[${CODES[code][0]}m${s}\u001b[${CODES[code][1]}m` : (_code, s) => s;
}

/** A progress line on a terminal's stderr once a scan has taken a second; cleared at the end. */
export function progress(stream: Stream, now: () => number = () => performance.now()) {
  const start = now();
  let last = 0;
  let shown = false;
  return {
    update(files: number, bytes: number): void {
      if (stream.isTTY !== true) return;
      const t = now();
      if (t - start < 1000 || t - last < 100) return;
      last = t;
      shown = true;
      stream.write(
        `\r\u001b[Kscanning: ${files} ${files === 1 ? "file" : "files"}, ${(bytes / 1024 / 1024).toFixed(1)} MiB read`,
      );
    },
    done(): void {
      if (shown) stream.write("\r\u001b[K");
    },
  };
}
