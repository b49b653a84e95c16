#!/usr/bin/env node
/** The `async-doctor` executable. */
import { run } from "./main.js";

process.exitCode = await run(process.argv.slice(2));
