/**
 * Tables derived from the rule modules' declarations: the source prefilter, the set of called
 * names worth resolving, the issue-text vocabulary and the pull-request hunk needles. Nothing
 * here is kept by hand: a rule that declares a need is served by every table that needs it.
 */
import type { Wanted } from "./python/facts.js";
import type { Rule } from "./rule.js";
import { RULES } from "./rules/index.js";

export { RULES };

function escapeRegExp(s: string): string {
  return s.replace(/[\\^$.|?*+()[\]{}/-]/g, "\\$&");
}

/** One literal alternation (linear, no nested quantifiers); never empty. */
function alternation(words: Iterable<string>, flags = ""): RegExp {
  const list = [...new Set(words)].filter((w) => w.length > 0).sort((a, b) => b.length - a.length);
  return new RegExp(list.length > 0 ? list.map(escapeRegExp).join("|") : "(?!)", flags);
}

/**
 * The needles present in a text, in one pass: a zero-width match wherever one starts (so
 * overlapping needles are all seen); a needle that is a prefix of one found is present too.
 */
function needleFinder(words: Iterable<string>): (s: string) => Set<string> {
  const list = [...new Set(words)].filter((w) => w.length > 0).sort((a, b) => b.length - a.length);
  if (list.length === 0) return () => new Set();
  const re = new RegExp(`(?=(${list.map(escapeRegExp).join("|")}))`, "g");
  const prefixes = new Map(list.map((n) => [n, list.filter((m) => n.startsWith(m))]));
  return (s) => {
    const out = new Set<string>();
    re.lastIndex = 0;
    for (let m = re.exec(s); m !== null; m = re.exec(s)) {
      const hit = m[1] as string;
      if (!out.has(hit)) for (const p of prefixes.get(hit) ?? []) out.add(p);
      re.lastIndex = m.index + 1;
    }
    return out;
  };
}

/**
 * The group of a rule's needles that the first pass over every file asks for. Every group must be
 * present for the rule to apply, so any one is a sound first pass; the one whose shortest needle
 * is longest is the rarest in practice and lets the regular expression skip ahead furthest (a
 * three-letter needle such as `ssl` halved its speed on plain code). Ties keep the rule's order:
 * by convention its first group holds its rarest needles.
 */
function firstPass(groups: readonly (readonly string[])[]): readonly string[] {
  let best: readonly string[] = groups.find((g) => g.length > 0) ?? [];
  const shortest = (g: readonly string[]) =>
    g.reduce((m, n) => Math.min(m, n.length), Number.POSITIVE_INFINITY);
  for (const g of groups) if (g.length > 0 && shortest(g) > shortest(best)) best = g;
  return best;
}

export interface Registry {
  rules: readonly Rule[];
  byId: ReadonlyMap<string, Rule>;
  /** The names facts extraction resolves: every call and base class some rule reads. */
  wanted: Wanted;
  /** Could any rule that reads Python facts find something in this source (or bytes)? */
  prefilter(source: Uint8Array | string): boolean;
  /** The prefilter for a module that runs patched by its project's config (no patch in the file). */
  prefilterPatched(source: Uint8Array | string): boolean;
  /** Could this pull-request patch text matter (any rule's needle, or a hunk needle)? */
  hunkMayMatter(patch: string): boolean;
  /** Does the text contain a word of the family (any issue rule's vocabulary)? */
  mentionsFamily(text: string): boolean;
  /** Qualified calls some project side reads from the code. */
  projectCalls: ReadonlySet<string>;
  /**
   * Both prefilters in one look at the bytes (a project scan asks both of every module): one
   * decode, and one pass of the union of their fast alternations rejects the common module.
   */
  screen(source: Uint8Array | string): { plain: boolean; patched: boolean };
  /** The needles of that first pass (a caller may fold its own into one pass with them). */
  screenNeedles: readonly string[];
  /** Could the source hold one of those calls (in a project scan, such a module is parsed)? */
  mayCallForProject(source: Uint8Array | string): boolean;
  /**
   * Do a project's calls matter, given its dependencies (normalised names)? A rule whose calls
   * matter only with a package (`callsMatterWith`) reads none in a project that lacks it.
   */
  callsMatter(deps: readonly { name: string }[]): boolean;
  /** For a package, the modules whose calls matter once a project adds it (`mysql.connector`). */
  callModulesFor(pkg: string): string[];
}

export function buildRegistry(rules: readonly Rule[]): Registry {
  const byId = new Map<string, Rule>();
  for (const r of rules) {
    if (byId.has(r.id)) throw new Error(`duplicate rule id ${r.id}`);
    byId.set(r.id, r);
  }
  for (const r of rules)
    for (const x of r.excludes ?? []) if (!byId.has(x)) throw new Error(`${r.id} excludes unknown rule ${x}`);

  const tails = (names: readonly string[]) => names.map((c) => c.slice(c.lastIndexOf(".") + 1));
  const sideCalls = rules.flatMap((r) => r.project?.calls ?? []);
  // Calls that settle a run's code findings are collected too (they are in files parsed anyway).
  const projectCalls = new Set([...sideCalls, ...rules.flatMap((r) => r.code?.settledBy ?? [])]);
  const wanted: Wanted = {
    calls: new Set([...rules.flatMap((r) => tails(r.needs.calls ?? [])), ...tails([...projectCalls])]),
    bases: new Set(rules.flatMap((r) => tails(r.needs.bases ?? []))),
  };

  // Only a rule that reads code makes a file worth parsing.
  const sourceRules = rules
    .filter((r) => r.code !== undefined)
    .map((r) => r.needs.source ?? [])
    .filter((groups) => groups.length > 0);
  // The fast pass: one literal alternation over each rule's first group (by convention its
  // rarest needles), so the common file is rejected in one scan.
  const any = alternation(sourceRules.flatMap(firstPass));
  const toText = (buf: Uint8Array | string) =>
    typeof buf === "string"
      ? buf
      : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString("latin1");
  let findNeedles: (s: string) => Set<string> = () => new Set();
  const holds = (rules: (readonly (readonly string[])[])[], present: Set<string>) =>
    rules.some((groups) => groups.every((g) => g.some((needle) => present.has(needle))));
  const prefilter = (buf: Uint8Array | string): boolean => {
    const s = toText(buf);
    if (!any.test(s)) return false; // the common case: one pass over the bytes
    return holds(sourceRules, findNeedles(s));
  };

  // A module that a run config loads patched: the patcher groups hold already.
  const patchedRules = sourceRules
    .map((groups) => groups.filter((g) => !g.includes("gevent")))
    .filter((groups, i) => groups.length > 0 && groups.length < (sourceRules[i]?.length ?? 0));
  const anyPatched = alternation(patchedRules.flatMap(firstPass));
  findNeedles = needleFinder([...sourceRules.flat(2), ...patchedRules.flat(2)]);
  const prefilterPatched = (buf: Uint8Array | string): boolean => {
    const s = toText(buf);
    if (!anyPatched.test(s)) return false;
    return holds(patchedRules, findNeedles(s));
  };

  // A hunk may matter when it holds any needle of any rule: the rest of the file may hold the others.
  const hunk = alternation([...sourceRules.flat(2), ...rules.flatMap((r) => r.needs.hunk ?? [])]);
  const family = alternation(
    rules.flatMap((r) => r.needs.words ?? []),
    "i",
  );
  // `mysql.connector.connect` → `connector`: the module a call comes from, as written in any import form.
  const callModules = sideCalls.map((c) => c.split(".").slice(-2, -1)[0] ?? c);
  // A few needles: the native search over the bytes beats decoding them for a regular expression.
  const callNeedles = [...new Set(callModules)];
  const modulesFor = new Map<string, string[]>();
  for (const r of rules)
    for (const pkg of r.project?.callsMatterWith ?? []) {
      const mods = (r.project?.calls ?? []).map((c) => c.slice(0, c.lastIndexOf(".")));
      modulesFor.set(pkg, [...new Set([...(modulesFor.get(pkg) ?? []), ...mods])]);
    }
  // Rules with project calls and no package condition make calls matter everywhere.
  const unconditional = rules.some((r) => (r.project?.calls?.length ?? 0) > 0 && !r.project?.callsMatterWith);
  const callsMatter = (deps: readonly { name: string }[]) =>
    unconditional || deps.some((d) => modulesFor.has(d.name));
  const screenNeedles = [...new Set([...sourceRules.flatMap(firstPass), ...patchedRules.flatMap(firstPass)])];
  const anyEither = alternation(screenNeedles);
  const screen = (buf: Uint8Array | string) => {
    const s = toText(buf);
    if (!anyEither.test(s)) return { plain: false, patched: false };
    const present = findNeedles(s);
    return { plain: holds(sourceRules, present), patched: holds(patchedRules, present) };
  };
  return {
    screen,
    screenNeedles,
    callModulesFor: (pkg) => modulesFor.get(pkg) ?? [],
    projectCalls,
    callsMatter,
    mayCallForProject: (buf) =>
      callNeedles.some((n) =>
        typeof buf === "string"
          ? buf.includes(n)
          : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).includes(n),
      ),
    rules,
    byId,
    wanted,
    prefilter,
    prefilterPatched,
    hunkMayMatter: (patch) => hunk.test(patch),
    mentionsFamily: (text) => family.test(text),
  };
}

/** The registry of the shipped rules. */
export const REGISTRY: Registry = buildRegistry(RULES);
