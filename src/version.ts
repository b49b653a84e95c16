import { createRequire } from "node:module";

/** Set by the command-line bundle's build (`scripts/bundle-cli.mjs`), which has no package.json beside it. */
declare const ASYNC_DOCTOR_VERSION: string | undefined;

/** The package version: the bundle's, or read from package.json next to dist/ or src/. */
export const VERSION: string =
  typeof ASYNC_DOCTOR_VERSION === "string"
    ? ASYNC_DOCTOR_VERSION
    : (createRequire(import.meta.url)("../package.json") as { version: string }).version;
