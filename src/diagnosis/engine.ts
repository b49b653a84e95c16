/**
 * The diagnosis engine: issue text in, findings out; Python source in, findings out.
 * Pure apart from loading the grammar once (see python/parser.ts).
 */

import { explain, judge, saidIn } from "./explain.js";
import type { RuleFilter } from "./findings.js";
import { applyExcludes, fingerprint } from "./findings.js";
import type { FileContext } from "./project/project.js";
import { extractFacts, type FileFacts } from "./python/facts.js";
import { loadPythonParser, type PythonParser } from "./python/parser.js";
import { REGISTRY, type Registry } from "./registry.js";
import type { IssueEvidence, ProjectCall, ProjectPatch, Rule } from "./rule.js";
import { patches } from "./rules/shared/patcher.js";
import { Suppressions, type UnusedIgnore, unusedInUnparsed } from "./suppressions.js";
import { readIssueText } from "./text/evidence.js";
import { splitPosts } from "./text/posts.js";
import { repoPackage } from "./text/reporter.js";
import { boundText, THREAD_CHARS } from "./text/thread.js";
import type { CodeFinding, Explanation, IssueFinding } from "./types.js";

export type { RuleFilter } from "./findings.js";

/** Who is asking: the repository the thread belongs to and what its maintainers said. */
export interface ThreadContext {
  /** `owner/name` of the repository the issue is filed in. */
  repo?: string | null;
  /** Logins whose posts (in a plain-text thread with post headers) are the project's, besides the owner. */
  maintainers?: readonly string[];
  /**
   * Texts by the repository's maintainers (OWNER, MEMBER, COLLABORATOR). They are never
   * evidence; a finding they already gave is not repeated.
   */
  maintainerTexts?: readonly string[];
  /** Characters of the thread already left out before the text was joined (`threadOf`). */
  unread?: number;
  /**
   * Titles and descriptions of pull requests linked to the thread. Never evidence; a fix one of
   * them makes is not offered, and when it makes the best fix the thread is resolved.
   */
  changeTexts?: readonly string[];
}

/** Maintainer texts read (the newest), and characters read at each end of one. */
const MAINTAINER_TEXTS = 50;
const MAINTAINER_EDGE_CHARS = 32 * 1024;
/** Linked changes read (the newest), and characters read at each end of one. */
const MAX_CHANGES = 10;
const CHANGE_EDGE_CHARS = 8 * 1024;

export interface TriageResult {
  findings: IssueFinding[];
  evidence: IssueEvidence;
  /** Rules whose diagnosis a maintainer already gave in the thread (not reported again). */
  answered: string[];
  /** Rules the thread has dealt with: it works now, or every fix was already applied (nothing new to say). */
  resolved: string[];
}

export interface ScanResult {
  findings: CodeFinding[];
  /** Whether the file was parsed at all (false when the prefilter ruled it out). */
  parsed: boolean;
  /** Module-level patch calls of the file: the project may run patched from here. */
  patches: ProjectPatch[];
  /** The calls project sides asked for (`Rule.project.calls`); in a project scan only. */
  calls: ProjectCall[];
  /** The parse ran out of its time budget: nothing was found, and the file should be listed as skipped. */
  incomplete?: boolean;
  /** Suppression comments that silenced nothing (or name no rule). */
  unusedIgnores?: UnusedIgnore[];
  /** The file has more than `MAX_FINDINGS_PER_FILE` findings: the first ones (by line) are listed. */
  more?: boolean;
}

/** Findings listed per file (a generated file can have one per line). */
export const MAX_FINDINGS_PER_FILE = 200;
/** Calls a module reports to its project's side (what manifest rules look for). */
const MAX_PROJECT_CALLS_PER_FILE = 1000;

/** Could the source hold a patch call (cheap check before parsing for project context)? */
export function mayPatch(source: Uint8Array | string): boolean {
  const s =
    typeof source === "string" ? source : Buffer.from(source.buffer, source.byteOffset, source.byteLength);
  return s.includes("patch_all") || s.includes("monkey_patch");
}

function modulePatches(facts: FileFacts): ProjectPatch[] {
  return patches(facts)
    .filter((p) => p.moduleLevel && p.how !== "import grequests" && p.how !== "import locust")
    .map((p) => ({
      patcher: p.kind,
      via: "code",
      file: facts.path,
      line: p.line,
      text: (facts.lines[p.line - 1] ?? "").trim(),
    }));
}

export { fingerprint, fnv1a, scanProject, withoutCovered, withoutSettled } from "./findings.js";

export class Engine {
  constructor(
    private readonly parser: PythonParser,
    readonly registry: Registry = REGISTRY,
  ) {}

  private facts(path: string, source: string, context?: FileContext): FileFacts {
    const facts = extractFacts(this.parser, path, source, this.registry.wanted);
    if (context) facts.context = context;
    return facts;
  }

  /** Code rules over one file's facts; excludes and suppressions applied, then the filter. */
  runCodeRules(facts: FileFacts, filter: RuleFilter = {}): CodeFinding[] {
    return this.applyRules(facts, filter).findings;
  }

  private applyRules(
    facts: FileFacts,
    filter: RuleFilter,
  ): { findings: CodeFinding[]; unused: UnusedIgnore[]; more: boolean } {
    const out: CodeFinding[] = [];
    const silenced = new Suppressions(facts, this.knownRule);
    let more = false;
    for (const rule of this.registry.rules) {
      if (!rule.code) continue;
      for (const d of rule.code.detect(facts)) {
        if (silenced.silences(rule.id, d.line)) continue;
        // A generated file can hold a finding per line: past twice the cap, none is built.
        if (out.length >= 2 * MAX_FINDINGS_PER_FILE) {
          more ||= !filter.enabled || filter.enabled(rule.id);
          continue;
        }
        out.push({
          ...d,
          rule: rule.id,
          file: facts.path,
          fingerprint: fingerprint(rule.id, facts.path, facts.lines[d.line - 1] ?? ""),
        });
      }
    }
    const findings = applyExcludes(out, this.registry)
      .filter((f) => !filter.enabled || filter.enabled(f.rule))
      .sort((a, b) => a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule));
    if (findings.length > MAX_FINDINGS_PER_FILE) {
      findings.length = MAX_FINDINGS_PER_FILE;
      more = true;
    }
    return { findings, unused: silenced.unused(), more };
  }

  private readonly knownRule = (id: string) => this.registry.rules.some((r) => r.id === id);

  /** Analyse one Python source. Sources that fail the prefilter are not parsed. */
  scanSource(path: string, source: string, filter: RuleFilter = {}, context?: FileContext): ScanResult {
    // In a project scan (a context is given), a module-level patch tells how the project runs.
    if (!this.mayMatter(source, context) && !(context && mayPatch(source)))
      return {
        findings: [],
        parsed: false,
        patches: [],
        calls: [],
        unusedIgnores: unusedInUnparsed(source, this.knownRule),
      };
    const facts = this.facts(path, source, context);
    const patches = modulePatches(facts);
    const wanted = this.registry.projectCalls;
    const calls: ProjectCall[] =
      context === undefined
        ? []
        : facts.calls
            .filter((c) => wanted.has(c.qualified))
            .slice(0, MAX_PROJECT_CALLS_PER_FILE)
            .map((c) => ({
              file: path,
              line: c.line,
              qualified: c.qualified,
              text: (facts.lines[c.line - 1] ?? "").trim(),
              kwargs: [...c.kwargs.keys()],
              hasStarArgs: c.hasStarArgs,
            }));
    if (facts.incomplete) return { findings: [], parsed: false, patches: [], calls: [], incomplete: true };
    const { findings, unused, more } = this.applyRules(facts, filter);
    return { findings, parsed: true, patches, calls, unusedIgnores: unused, ...(more ? { more } : {}) };
  }

  /** The prefilter, knowing whether the project runs this module patched. */
  mayMatter(source: Uint8Array | string, context?: FileContext): boolean {
    return (
      this.registry.prefilter(source) ||
      // Under a run, a module's own patch may be a second one (gevent over eventlet).
      (!!context?.run && (this.registry.prefilterPatched(source) || mayPatch(source))) ||
      context?.localTrio !== undefined ||
      (context !== undefined && this.registry.mayCallForProject(source))
    );
  }

  /**
   * Diagnose an issue text (title, body and comments joined). Posts by the repository's owner
   * (plain-text threads with post headers) and `thread.maintainerTexts` are not evidence.
   */
  triage(input: string, filter: RuleFilter = {}, thread: ThreadContext = {}): TriageResult {
    // Any text is read up to THREAD_CHARS (its start and end): the work is bounded whatever comes in.
    const { text, unread } = boundText(input, THREAD_CHARS / 2);
    const repo = thread.repo ?? null;
    const project = new Set((thread.maintainers ?? []).map((m) => m.toLowerCase()));
    const owner = repo?.split("/")[0]?.toLowerCase();
    if (owner) project.add(owner);
    // Post headers matter only when someone's posts are to be set apart.
    const posts = project.size > 0 && text.includes(" · ") ? splitPosts(text) : [];
    const mine = (a: string | null) => a !== null && project.has(a.toLowerCase());
    const maintainerTexts = [
      ...(thread.maintainerTexts ?? []),
      ...posts.filter((p) => mine(p.author)).map((p) => p.text),
    ]
      .slice(-MAINTAINER_TEXTS)
      .map((m) => boundText(m, MAINTAINER_EDGE_CHARS).text);
    const reporterText =
      posts.length === 0
        ? text
        : posts
            .filter((p) => !mine(p.author))
            .map((p) => p.text)
            .join("\n");
    const t = readIssueText(reporterText, this.registry.prefilter);
    const snippetFacts: FileFacts[] = [];
    const snippetFindings: CodeFinding[] = [];
    t.snippets.forEach((s, i) => {
      if (!this.registry.prefilter(s.source)) return;
      const facts = this.facts(`snippet-${i + 1}`, s.source);
      snippetFacts.push(facts);
      // Lines of the issue text, not of the snippet.
      const at = (line: number) => line + s.startLine - 1;
      for (const f of this.runCodeRules(facts))
        snippetFindings.push({
          ...f,
          line: at(f.line),
          evidence: f.evidence.map((e) => (e.line === undefined ? e : { ...e, line: at(e.line) })),
        });
    });
    const evidence: IssueEvidence = {
      ...t,
      snippetFacts,
      snippetFindings,
      repo,
      repoPackage: repoPackage(repo),
      unread: unread + (thread.unread ?? 0),
    };
    const drafts: { rule: Rule; draft: NonNullable<ReturnType<NonNullable<Rule["issue"]>["detect"]>> }[] = [];
    for (const rule of this.registry.rules) {
      const draft = rule.issue?.detect(evidence);
      if (draft) drafts.push({ rule, draft });
    }
    const answered: string[] = [];
    const resolved: string[] = [];
    const said = saidIn(
      maintainerTexts,
      (thread.changeTexts ?? []).slice(-MAX_CHANGES).map((c) => boundText(c, CHANGE_EDGE_CHARS).text),
    );
    const kept = applyExcludes(
      drafts.map((d) => ({ ...d, rule: d.rule.id, def: d.rule })),
      this.registry,
    )
      .filter((d) => !filter.enabled || filter.enabled(d.rule))
      .map((d) => {
        const line = d.draft.evidence.reduce((m, e) => Math.max(m, e.line ?? 0), 0);
        return { ...d, judged: judge(d.def, evidence, said, line) };
      })
      .filter(({ rule, judged: { verdict } }) => {
        if (verdict === "answered") answered.push(rule);
        else if (verdict === "resolved" || verdict === "exhausted") resolved.push(rule);
        return verdict === "keep";
      });
    // The explanation is built on first read (once): reports read it, a filter may drop the finding first.
    const findings: IssueFinding[] = kept.map(({ def, draft, judged }) => {
      let memo: Explanation | null = null;
      return Object.defineProperty({ rule: def.id, ...draft } as IssueFinding, "explanation", {
        enumerable: true,
        get: () => {
          memo ??= explain(def, evidence, judged);
          return memo;
        },
      });
    });
    return { findings, evidence, answered, resolved };
  }
}

let shared: Promise<Engine> | null = null;

/** The process-wide engine (the grammar is loaded once). */
export function createEngine(): Promise<Engine> {
  if (shared === null) shared = loadPythonParser().then((p) => new Engine(p));
  return shared;
}
