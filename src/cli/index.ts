#!/usr/bin/env node
/** The `async-doctor` executable. */
import { run } from "./main.js";

// A reader that closed the pipe (`async-doctor rules | head -1`) has all it wanted: end quietly
// with status 0, as other command-line tools do, instead of an EPIPE stack trace.
for (const stream of [process.stdout, process.stderr])
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });

process.exitCode = await run(process.argv.slice(2));
