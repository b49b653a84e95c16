import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";

export const FIXTURES = new URL("./fixtures/", import.meta.url).pathname;

export interface CorpusCase {
  name: string;
  /** `owner/name#number (url)` */
  source: string;
  /** `owner/name` the thread is filed in. */
  repo: string;
  expected: string[];
  /** What the thread shows: macos, linux, freebsd, windows or unknown. */
  platform: string;
  /** The import chain a maintainer reads from the thread (packages, in order). */
  chain: string[];
  /** The fix id the maintainers' answer points to first (of the first expected rule). */
  firstFix: string | null;
  /** Logins of the project's maintainers who post in the thread (besides the owner). */
  maintainers: string[];
  /** Phrases the comment must contain / must not contain. */
  must: string[];
  mustNot: string[];
  body: string;
}

function list(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : v === undefined || v === null ? [] : [String(v)];
}

/** Read the issue corpus: YAML front matter (source, expected, advice facts) + the thread text. */
export function readCorpus(): CorpusCase[] {
  const dir = join(FIXTURES, "issues");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((name) => {
      const raw = readFileSync(join(dir, name), "utf8");
      const end = raw.indexOf("\n---\n", 4);
      const front = (parseYaml(raw.slice(4, end)) ?? {}) as Record<string, unknown>;
      const source = String(front.source ?? "");
      return {
        name,
        source,
        repo: source.slice(0, source.indexOf("#")),
        expected: list(front.expected),
        platform: String(front.platform ?? "unknown"),
        chain: list(front.chain),
        firstFix: front.first_fix ? String(front.first_fix) : null,
        must: list(front.must),
        maintainers: list(front.maintainers),
        mustNot: list(front.must_not),
        body: raw.slice(end + 5),
      };
    });
}

/** A corpus thread as GitHub holds it: title, description and comments with their authors. */
export function corpusThread(c: CorpusCase): {
  title: string;
  body: string;
  comments: { author: string; association: string; body: string }[];
} {
  const owner = c.repo.split("/")[0]?.toLowerCase();
  const members = new Set(c.maintainers.map((m) => m.toLowerCase()));
  const lines = c.body.replace(/^\n+/, "").split("\n");
  const titleLine = lines.findIndex((l) => l.startsWith("# "));
  const title = titleLine >= 0 ? (lines[titleLine] ?? "").slice(2) : "Report";
  const posts: { author: string; kind: string; lines: string[] }[] = [
    { author: "", kind: "description", lines: [] },
  ];
  lines.forEach((l, i) => {
    if (i === titleLine) return;
    const parts = l.split(" · ");
    if (
      parts.length === 3 &&
      (parts[1] === "description" || parts[1] === "comment") &&
      /^\d{4}-/.test(parts[2] ?? "")
    )
      posts.push({ author: parts[0] ?? "", kind: parts[1] ?? "", lines: [] });
    else posts[posts.length - 1]?.lines.push(l);
  });
  const description = posts.filter((p) => p.kind === "description").flatMap((p) => p.lines);
  const comments = posts
    .filter((p) => p.kind === "comment")
    .map((p) => ({
      author: p.author,
      association:
        p.author.toLowerCase() === owner ? "OWNER" : members.has(p.author.toLowerCase()) ? "MEMBER" : "NONE",
      body: p.lines.join("\n"),
    }));
  return { title, body: description.join("\n"), comments };
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

const PLATFORM_NAMES: Record<string, string> = {
  macos: "macOS",
  linux: "Linux",
  freebsd: "FreeBSD",
  windows: "Windows",
};

/**
 * The advice facts of a corpus case a rendered issue comment breaks (empty when it passes them):
 * the platform it tells (it may tell none), the import chain, and the must / must-not phrases.
 */
export function adviceProblems(comment: string, c: CorpusCase): string[] {
  const out: string[] = [];
  const told = /- Platform: (\w+)/.exec(comment)?.[1];
  if (told !== undefined && told !== PLATFORM_NAMES[c.platform]) out.push(`platform told: ${told}`);
  const chain = c.chain.map((p) => `\`${p}\``).join(" → ");
  if (c.chain.length > 0 && !comment.includes(chain)) out.push(`chain missing: ${chain}`);
  for (const m of c.must) if (!comment.includes(m)) out.push(`must: ${m}`);
  for (const m of c.mustNot) if (comment.includes(m)) out.push(`must not: ${m}`);
  return out;
}
