/**
 * Checks on untrusted YAML text before any parser sees it: size, and nesting depth (flow
 * brackets and block indentation). A YAML parser recurses per level; a few hundred thousand
 * `[` would exhaust the heap. Linear, one pass, no regular expression.
 */

/** Larger files are refused before parsing. */
export const MAX_CONFIG_BYTES = 64 * 1024;
/** No real configuration nests deeper than a handful of levels. */
export const MAX_CONFIG_DEPTH = 32;

/** Why the text must not be parsed, or null when it may be. */
export function yamlGuard(text: string): string | null {
  if (Buffer.byteLength(text, "utf8") > MAX_CONFIG_BYTES) return `larger than ${MAX_CONFIG_BYTES / 1024} KiB`;
  let flow = 0;
  let quote: string | null = null;
  const indents: number[] = [];
  let lineStart = true;
  let indent = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "\n") {
      lineStart = true;
      indent = 0;
      if (quote === "'" || quote === '"') continue; // quoted scalars may span lines
      continue;
    }
    if (lineStart) {
      if (c === " " || c === "-") {
        indent++;
        continue;
      }
      lineStart = false;
      if (c !== "#" && flow === 0 && quote === null) {
        while (indents.length > 0 && (indents[indents.length - 1] as number) >= indent) indents.pop();
        indents.push(indent);
        if (indents.length > MAX_CONFIG_DEPTH) return `nested deeper than ${MAX_CONFIG_DEPTH} levels`;
      }
    }
    if (quote !== null) {
      if (c === quote) quote = null;
      else if (c === "\\" && quote === '"') i++;
      continue;
    }
    if (c === "#" && (i === 0 || text[i - 1] === " " || text[i - 1] === "\t")) {
      const nl = text.indexOf("\n", i);
      if (nl < 0) break;
      i = nl - 1;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === "[" || c === "{") {
      flow++;
      if (flow + indents.length > MAX_CONFIG_DEPTH) return `nested deeper than ${MAX_CONFIG_DEPTH} levels`;
    } else if ((c === "]" || c === "}") && flow > 0) flow--;
  }
  return null;
}
