/**
 * Turn an issue text into structured evidence: lines, tracebacks, prose sentences, context,
 * and the Python snippets it contains. Linear in the text length (snippet parsing is capped).
 */
import type { Evidence } from "../types.js";
import { type Context, readContext } from "./context.js";
import { type CodeBlock, findCodeBlocks, hasWordPrefix, splitLines } from "./lines.js";
import { parseTracebacks, type Traceback } from "./traceback.js";

export interface Sentence {
  /** Lowercased sentence text. */
  text: string;
  /** Original text (for quoting). */
  raw: string;
  /** 1-based line where it starts. */
  line: number;
}

export interface Snippet {
  source: string;
  /** 1-based line of the snippet's first line in the text. */
  startLine: number;
}

export interface IssueText {
  /** The (line-capped) text joined with \n, and where each line starts in it. */
  joined: string;
  lineStarts: number[];
  /** findLine results, by needles (rules ask the same questions). */
  memo: Map<string, Evidence | null>;
  lines: string[];
  lower: string[];
  inCode: boolean[];
  tracebacks: Traceback[];
  sentences: Sentence[];
  snippets: Snippet[];
  context: Context;
}

/** Max characters of one line we look at; longer lines are cut (keeps the work linear and bounded). */
const MAX_LINE = 4000;
/** Max total characters of Python snippets parsed from one text. */
export const MAX_SNIPPET_CHARS = 24 * 1024;
/** Max number of Python snippets parsed from one text. */
export const MAX_SNIPPETS = 8;

const CODE_LANGS = new Set(["python", "py", "python3", "py3", "", "python2"]);
const NOT_CODE_LANGS = new Set([
  "pytb",
  "python-traceback",
  "console",
  "shell",
  "sh",
  "bash",
  "text",
  "txt",
  "log",
  "ini",
  "yaml",
  "toml",
  "json",
]);

function looksLikePython(block: CodeBlock): boolean {
  if (NOT_CODE_LANGS.has(block.lang)) return false;
  if (!CODE_LANGS.has(block.lang)) return false;
  let importish = 0;
  for (const l of block.lines) {
    const t = l.trimStart();
    if (t.startsWith("Traceback (most recent") || t.startsWith('File "') || t.startsWith(">>> "))
      return false;
    if (
      t.startsWith("import ") ||
      t.startsWith("from ") ||
      t.startsWith("def ") ||
      t.startsWith("async def ") ||
      t.startsWith("class ")
    )
      importish++;
  }
  return importish > 0;
}

/** One paragraph's sentences (split at `.`, `!` or `?` before a space or the end), appended to `out`. */
export function splitSentences(para: string, line: number, out: Sentence[]): void {
  let start = 0;
  for (let i = 0; i < para.length; i++) {
    const c = para[i];
    if ((c === "." || c === "!" || c === "?") && (i + 1 === para.length || para[i + 1] === " ")) {
      const raw = para.slice(start, i + 1).trim();
      if (raw.length > 0) out.push({ raw, text: raw.toLowerCase(), line });
      start = i + 1;
    }
  }
  const raw = para.slice(start).trim();
  if (raw.length > 0) out.push({ raw, text: raw.toLowerCase(), line });
}

/**
 * Read an issue text. `relevant` says whether a Python snippet could matter to any rule (the
 * registry's prefilter); snippets that fail it do not count against the snippet budget.
 */
export function readIssueText(input: string, relevant: (source: string) => boolean = () => true): IssueText {
  const lines = splitLines(input);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] ?? "";
    if (l.length > MAX_LINE) lines[i] = l.slice(0, MAX_LINE);
  }
  const lower = lines.map((l) => l.toLowerCase());
  const { blocks, inBlock } = findCodeBlocks(lines);
  const tracebacks = parseTracebacks(lines);

  // Prose: paragraphs outside code blocks, split into sentences. Titles and headings count.
  const sentences: Sentence[] = [];
  let para = "";
  let paraLine = 0;
  const flush = () => {
    if (para.length > 0) splitSentences(para, paraLine, sentences);
    para = "";
  };
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] ?? "";
    const t = l.trim();
    if (inBlock[i] || t === "" || t.startsWith('File "') || t.startsWith(">>>")) {
      flush();
      continue;
    }
    if (t.startsWith("#")) {
      // A heading is a sentence of its own.
      flush();
      splitSentences(t.replace(/^#+\s*/, ""), i + 1, sentences);
      continue;
    }
    if (para.length === 0) paraLine = i + 1;
    para += (para.length > 0 ? " " : "") + t;
    if (para.length > 20000) flush();
  }
  flush();

  // Python snippets: fenced blocks that look like code, and REPL input lines.
  const snippets: Snippet[] = [];
  let budget = MAX_SNIPPET_CHARS;
  for (const b of blocks) {
    if (!looksLikePython(b)) continue;
    const source = b.lines.join("\n");
    if (snippets.length >= MAX_SNIPPETS) break;
    if (source.length > budget || !relevant(source)) continue;
    budget -= source.length;
    snippets.push({ source, startLine: b.startLine + 1 });
  }
  const repl: string[] = [];
  let replStart = 0;
  const hasRepl = input.includes(">>> ");
  for (let i = 0; hasRepl && i < lines.length && budget > 0; i++) {
    const t = (lines[i] ?? "").trimStart();
    if (t.startsWith(">>> ") || (repl.length > 0 && t.startsWith("... "))) {
      if (repl.length === 0) replStart = i + 1;
      const code = t.slice(4);
      repl.push(code);
      budget -= code.length;
    }
  }
  if (repl.length > 0) snippets.push({ source: repl.join("\n"), startLine: replStart });

  const lineStarts: number[] = new Array(lines.length);
  let off = 0;
  for (let i = 0; i < lines.length; i++) {
    lineStarts[i] = off;
    off += (lines[i]?.length ?? 0) + 1;
  }
  return {
    joined: lines.join("\n"),
    lineStarts,
    memo: new Map(),
    lines,
    lower,
    inCode: inBlock,
    tracebacks,
    sentences,
    snippets,
    context: readContext(lines, lower, tracebacks),
  };
}

/** Index of the line holding text offset `off` (binary search over line starts). */
function lineAt(t: IssueText, off: number): number {
  let lo = 0;
  let hi = t.lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((t.lineStarts[mid] ?? 0) <= off) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** First line containing every needle (case-sensitive), as evidence. Searches the joined text. */
export function findLine(t: IssueText, ...needles: string[]): Evidence | null {
  const key = needles.join("\u0000");
  const memo = t.memo.get(key);
  if (memo !== undefined) return memo;
  const found = searchLine(t, needles);
  t.memo.set(key, found);
  return found;
}

function searchLine(t: IssueText, needles: string[]): Evidence | null {
  // Start from the longest needle: usually the rarest, so the fewest lines to check.
  let first = needles[0];
  if (first === undefined) return null;
  for (const n of needles) if (n.length > first.length) first = n;
  let from = 0;
  for (;;) {
    const at = t.joined.indexOf(first, from);
    if (at < 0) return null;
    const i = lineAt(t, at);
    const l = t.lines[i] ?? "";
    if (needles.every((n) => l.includes(n))) return { kind: "text", text: l.trim(), line: i + 1 };
    from = (t.lineStarts[i + 1] ?? t.joined.length) as number;
    if (i + 1 >= t.lines.length) return null;
  }
}

/** First line containing every needle, case-insensitively (needles lowercase). */
export function findLineLower(t: IssueText, ...needles: string[]): Evidence | null {
  for (let i = 0; i < t.lower.length; i++) {
    const l = t.lower[i] ?? "";
    if (needles.every((n) => l.includes(n)))
      return { kind: "text", text: (t.lines[i] ?? "").trim(), line: i + 1 };
  }
  return null;
}

/** Any line mentions the word (lowercase, at a word start)? */
const lowerJoined = new WeakMap<IssueText, string>();
const mentionMemo = new WeakMap<IssueText, Map<string, boolean>>();

/** Any line mentions the word (lowercase, at a word start)? One pass per word, remembered. */
export function mentions(t: IssueText, word: string): boolean {
  let memo = mentionMemo.get(t);
  if (memo === undefined) {
    memo = new Map();
    mentionMemo.set(t, memo);
  }
  const known = memo.get(word);
  if (known !== undefined) return known;
  let text = lowerJoined.get(t);
  if (text === undefined) {
    text = t.lower.join("\n");
    lowerJoined.set(t, text);
  }
  const found = hasWordPrefix(text, word);
  memo.set(word, found);
  return found;
}

/** The whole text, lowercased (computed once). */
export function lowerText(t: IssueText): string {
  let text = lowerJoined.get(t);
  if (text === undefined) {
    text = t.lower.join("\n");
    lowerJoined.set(t, text);
  }
  return text;
}

/**
 * First prose sentence in which every group has a term present (terms lowercase, matched at a
 * word start). Used for reports that describe a problem instead of pasting an error.
 */
export function findSentence(t: IssueText, groups: readonly (readonly string[])[]): Sentence | null {
  for (const s of t.sentences) {
    if (s.text.length > 2000) continue;
    if (groups.every((g) => g.some((term) => hasWordPrefix(s.text, term)))) return s;
  }
  return null;
}

export function sentenceEvidence(s: Sentence): Evidence {
  return { kind: "text", text: s.raw.length > 300 ? `${s.raw.slice(0, 297)}...` : s.raw, line: s.line };
}
