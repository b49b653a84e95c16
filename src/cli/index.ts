#!/usr/bin/env node
/** The `async-doctor` executable. */
import { setFlagsFromString } from "node:v8";

// A scan reads every file of a tree once: short-lived strings, allocated fast. V8 would double
// its young generation each time it fills (to 3 × 16 MiB); keeping it at its first size cost no
// time on the real-code corpus and saves about 30 MiB per thread (docs/PERFORMANCE.md). Set before
// anything else is loaded (module loading alone would grow it), and before any thread starts.
setFlagsFromString("--semi-space-growth-factor=1");
const { run } = await import("./main.js");

// A reader that closed the pipe (`async-doctor rules | head -1`) has all it wanted: end quietly
// with status 0, as other command-line tools do, instead of an EPIPE stack trace.
for (const stream of [process.stdout, process.stderr])
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });

process.exitCode = await run(process.argv.slice(2));
