/**
 * The diagnosis engine: issue text in, findings out; Python source in, findings out.
 * Pure apart from loading the grammar once (see python/parser.ts).
 */
import { extractFacts, type FileFacts, prefilter } from "./python/facts.js";
import { loadPythonParser, type PythonParser } from "./python/parser.js";
import type { IssueEvidence } from "./rule.js";
import { RULES } from "./rules/index.js";
import { readIssueText } from "./text/evidence.js";
import type { CodeFinding, IssueFinding } from "./types.js";

export interface RuleFilter {
  /** Return false to switch a rule off. */
  enabled?: (ruleId: string) => boolean;
}

export interface TriageResult {
  findings: IssueFinding[];
  evidence: IssueEvidence;
}

export interface ScanResult {
  findings: CodeFinding[];
  /** Whether the file was parsed at all (false when the prefilter ruled it out). */
  parsed: boolean;
  facts: FileFacts | null;
}

/** FNV-1a (64-bit) as hex: a stable, dependency-free fingerprint. */
export function fnv1a(text: string): string {
  let h = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * prime) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, "0");
}

export function fingerprint(rule: string, path: string, anchorText: string): string {
  return fnv1a(`${rule}\u0000${path}\u0000${anchorText.replace(/\s+/g, " ").trim()}`);
}

function suppressed(facts: FileFacts, f: CodeFinding): boolean {
  for (const line of [f.line]) {
    const s = facts.suppressions.get(line);
    if (s && (s.has("*") || s.has(f.rule))) return true;
  }
  return false;
}

export function runCodeRules(facts: FileFacts, filter: RuleFilter = {}): CodeFinding[] {
  const out: CodeFinding[] = [];
  for (const rule of RULES) {
    if (!rule.code || (filter.enabled && !filter.enabled(rule.id))) continue;
    for (const d of rule.code.detect(facts)) {
      const f: CodeFinding = {
        ...d,
        rule: rule.id,
        file: facts.path,
        fingerprint: fingerprint(rule.id, facts.path, facts.lines[d.line - 1] ?? ""),
      };
      if (!suppressed(facts, f)) out.push(f);
    }
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule));
}

export class Engine {
  constructor(private readonly parser: PythonParser) {}

  /** Analyse one Python source. Sources that fail the prefilter are not parsed. */
  scanSource(path: string, source: string, filter: RuleFilter = {}): ScanResult {
    if (!prefilter(source)) return { findings: [], parsed: false, facts: null };
    const facts = extractFacts(this.parser, path, source);
    return { findings: runCodeRules(facts, filter), parsed: true, facts };
  }

  /** Diagnose an issue text (title, body and comments joined). */
  triage(text: string, filter: RuleFilter = {}): TriageResult {
    const t = readIssueText(text);
    const snippetFacts: FileFacts[] = [];
    const snippetFindings: CodeFinding[] = [];
    t.snippets.forEach((s, i) => {
      if (!prefilter(s.source)) return;
      const facts = extractFacts(this.parser, `snippet-${i + 1}`, s.source);
      snippetFacts.push(facts);
      snippetFindings.push(...runCodeRules(facts));
    });
    const evidence: IssueEvidence = { ...t, snippetFacts, snippetFindings };
    const findings: IssueFinding[] = [];
    for (const rule of RULES) {
      if (!rule.issue || (filter.enabled && !filter.enabled(rule.id))) continue;
      const f = rule.issue.detect(evidence);
      if (f) findings.push(f);
    }
    return { findings, evidence };
  }
}

let shared: Promise<Engine> | null = null;

/** The process-wide engine (the grammar is loaded once). */
export function createEngine(): Promise<Engine> {
  if (shared === null) shared = loadPythonParser().then((p) => new Engine(p));
  return shared;
}

/** Words of the conflict family: a text without any of them cannot change a diagnosis. */
const FAMILY =
  /gevent|eventlet|greenlet|trio|grpc|psycopg|mysql|asyncio|monkey|loopexit|epoll|kqueue|patch_all|rlock|sslcontext|event loop/i;

export function mentionsFamily(text: string): boolean {
  return FAMILY.test(text);
}
