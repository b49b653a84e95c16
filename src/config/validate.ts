/** Validate a `.github/async-doctor.yml` text and point every error at its line. */
import { isMap, isPair, isScalar, LineCounter, parseDocument } from "yaml";
import { yamlGuard } from "./guard.js";
import { ConfigSchema } from "./schema.js";

export interface ConfigProblem {
  line: number;
  message: string;
}

/** Parse YAML and validate against the schema; empty when the file is valid. */
export function validateConfigText(text: string): ConfigProblem[] {
  const refused = yamlGuard(text);
  if (refused !== null) return [{ line: 1, message: `the file is ${refused}: it is not read` }];
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length > 0) {
    return doc.errors.map((e) => ({
      line: lc.linePos(e.pos[0]).line,
      message: `YAML syntax: ${e.message.split("\n")[0]}`,
    }));
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // An alias bomb (or another document the parser refuses to expand): a config error.
    return [{ line: 1, message: `YAML: ${(e as Error).message.split("\n")[0]}` }];
  }
  if (value === null || value === undefined) return [];
  if (typeof value !== "object" || Array.isArray(value))
    return [{ line: 1, message: "expected a mapping of settings" }];
  const { _extends: _ignored, ...rest } = value as Record<string, unknown>;
  const r = ConfigSchema.safeParse(rest);
  if (r.success) return [];
  return r.error.issues.map((issue) => {
    const keys = (issue as { keys?: string[] }).keys;
    const path = [...issue.path, ...(keys && keys.length > 0 ? [keys[0] as string] : [])] as (
      | string
      | number
    )[];
    return {
      line: lineOf(doc, lc, path),
      message: `${issue.path.length > 0 ? `${issue.path.join(".")}: ` : ""}${issue.message}`,
    };
  });
}

/** Line of the deepest key of `path` present in the document (1 when nothing matches). */
function lineOf(doc: ReturnType<typeof parseDocument>, lc: LineCounter, path: (string | number)[]): number {
  let node: unknown = doc.contents;
  let line = 1;
  for (const key of path) {
    if (!isMap(node)) break;
    const pair = node.items.find(
      (it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(key),
    );
    if (!pair || !isPair(pair)) break;
    const k = pair.key as { range?: [number, number, number] };
    if (k.range) line = lc.linePos(k.range[0]).line;
    node = pair.value;
  }
  return line;
}
