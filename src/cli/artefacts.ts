/**
 * Every artefact derived from the rule modules and the config schema: docs/rules/<id>.md, the
 * README's rule table and docs/config.schema.json (written by `npm run generate`).
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { configJsonSchema } from "../config/schema.js";
import { append } from "../diagnosis/append.js";
import { CATALOG } from "../diagnosis/catalog.js";
import { rulePage, withRulesTable } from "../report/rule-docs.js";
import { ruleIndexSource } from "../report/rule-index.js";

const RULES_DIR = "src/diagnosis/rules";

export interface Artefact {
  path: string;
  content: string | null; // null: the file must not exist
}

/** Every generated file, relative to the repository root, with its expected content. */
export function artefacts(root: string): Artefact[] {
  const modules = readdirSync(join(root, RULES_DIR))
    .filter((f) => f.endsWith(".ts") && f !== "index.ts")
    .map((f) => f.slice(0, -3));
  const out: Artefact[] = [{ path: `${RULES_DIR}/index.ts`, content: ruleIndexSource(modules) }];
  append(
    out,
    CATALOG.map((r) => ({ path: r.docPath, content: rulePage(r) })),
  );
  const known = new Set(out.map((a) => a.path));
  for (const f of readdirSync(join(root, "docs/rules")))
    if (f.endsWith(".md") && !known.has(`docs/rules/${f}`))
      out.push({ path: `docs/rules/${f}`, content: null });
  out.push({ path: "README.md", content: withRulesTable(readFileSync(join(root, "README.md"), "utf8")) });
  out.push({ path: "docs/config.schema.json", content: `${JSON.stringify(configJsonSchema(), null, 2)}\n` });
  return out;
}

export function current(root: string, path: string): string | null {
  try {
    return readFileSync(join(root, path), "utf8");
  } catch {
    return null;
  }
}

/** The artefacts whose file differs from what the modules say. */
export function stale(root: string): string[] {
  return artefacts(root)
    .filter((a) => current(root, a.path) !== a.content)
    .map((a) => a.path);
}

/** Bring every artefact up to date; returns what changed. */
export function writeArtefacts(root: string, only?: (path: string) => boolean): string[] {
  const changed: string[] = [];
  for (const a of artefacts(root)) {
    if (only && !only(a.path)) continue;
    if (current(root, a.path) === a.content) continue;
    if (a.content === null) rmSync(join(root, a.path));
    else writeFileSync(join(root, a.path), a.content);
    changed.push(`${a.content === null ? "removed" : "wrote"} ${a.path}`);
  }
  return changed;
}
