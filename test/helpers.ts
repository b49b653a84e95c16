import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const FIXTURES = new URL("./fixtures/", import.meta.url).pathname;

export interface CorpusCase {
  name: string;
  source: string;
  expected: string[];
  body: string;
}

/** Read the issue corpus: YAML-ish front matter (source, expected) + the issue text. */
export function readCorpus(): CorpusCase[] {
  const dir = join(FIXTURES, "issues");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((name) => {
      const raw = readFileSync(join(dir, name), "utf8");
      const end = raw.indexOf("\n---\n", 4);
      const front = raw.slice(4, end);
      const body = raw.slice(end + 5);
      const source = /^source: (.*)$/m.exec(front)?.[1] ?? "";
      const exp = /^expected: \[(.*)\]$/m.exec(front)?.[1] ?? "";
      const expected = exp
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
      return { name, source, expected, body };
    });
}

/** `rule@line` for every `# expect: <id>[, <id>]` annotation of a code fixture, sorted. */
export function annotated(source: string): string[] {
  const out: string[] = [];
  source.split(/\r\n|\r|\n/).forEach((line, i) => {
    const at = line.indexOf("# expect:");
    if (at < 0) return;
    for (const id of line.slice(at + 9).split(",")) if (id.trim()) out.push(`${id.trim()}@${i + 1}`);
  });
  return out.sort();
}
