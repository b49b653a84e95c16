/**
 * `npm run generate`: write the artefacts derived from the rule modules (artefacts.ts).
 * `--check` writes nothing and exits 1 when one is stale.
 */
import { stale, writeArtefacts } from "./artefacts.js";

const root = new URL("../../", import.meta.url).pathname;
if (process.argv.includes("--check")) {
  const s = stale(root);
  for (const p of s) process.stdout.write(`stale: ${p}\n`);
  process.exitCode = s.length > 0 ? 1 : 0;
} else {
  // `--index` first writes only the rule list, so that a new module is compiled into the
  // catalogue the second pass documents.
  const only = process.argv.includes("--index")
    ? (path: string) => path.endsWith("rules/index.ts")
    : undefined;
  for (const line of writeArtefacts(root, only)) process.stdout.write(`${line}\n`);
}
