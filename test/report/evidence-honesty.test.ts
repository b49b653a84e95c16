/**
 * Evidence honesty: every sentence of a comment that says what this report shows ("Shown here:",
 * "The report names …", "you run with …", "Here gunicorn's gevent worker …", an import chain, a
 * version "in this report") is backed by the report's own text. Rendered for every corpus case and
 * every rule fixture; a claim the text does not back fails, naming the claim.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createEngine } from "../../src/diagnosis/engine.js";
import { renderIssueComment } from "../../src/report/issue-comment.js";
import { readCorpus } from "../helpers.js";

const PLATFORM_HINTS: Record<string, readonly string[]> = {
  macOS: [
    "/users/",
    "darwin",
    "macos",
    "mac os",
    "osx",
    "os x",
    "homebrew",
    ".dylib",
    " mac",
    "apple",
    "m1",
    "m2",
  ],
  // A distribution's Python (`/usr/lib/python3.10/`, `dist-packages`) is how the engine reads Linux too.
  Linux: [
    "linux",
    "ubuntu",
    "debian",
    "centos",
    "fedora",
    "alpine",
    "rhel",
    "docker",
    "epoll",
    "/usr/lib/python",
    "dist-packages",
  ],
  Windows: ["windows", "c:\\", "win32", "win64", ".exe"],
  FreeBSD: ["freebsd", "bsd"],
};

/** The code spans of a sentence (our Markdown: single backticks, or double around a backtick). */
function spans(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] !== "`") {
      i++;
      continue;
    }
    const ticks = s.startsWith("``", i) ? "``" : "`";
    const end = s.indexOf(ticks, i + ticks.length);
    if (end < 0) break;
    out.push(s.slice(i + ticks.length, end).trim());
    i = end + ticks.length;
  }
  return out;
}

/** Names as a report shows them: dnspython's modules are `dns.*`, grequests patches through `curious_george`. */
const SHOWN_AS: Record<string, readonly string[]> = {
  dnspython: ["dnspython", "/dns/", "dns."],
  grequests: ["grequests", "curious_george"],
  "thread=false": ["thread=false", "thread = false"],
};
const shownAs = (name: string): string[] => [...(SHOWN_AS[name] ?? [name])];

/** What a claim needs the report to contain (lowercase needles; every group needs one). */
function needs(claim: string): string[][] {
  const c = claim.toLowerCase();
  const groups: string[][] = [];
  const patcherWords = (how: string) => {
    if (how.startsWith("gunicorn")) groups.push(["gunicorn"]);
    if (how.startsWith("celery")) groups.push(["celery"]);
    if (how.startsWith("locust")) groups.push(["locust"]);
    if (how.startsWith("grequests")) groups.push(shownAs("grequests"));
    if (how.includes("gevent")) groups.push(["gevent", "ggevent", "grequests", "locust", "curious_george"]);
    if (how.includes("eventlet")) groups.push(["eventlet"]);
  };
  if (c.startsWith("shown here:")) {
    for (const clause of claim.slice("Shown here:".length).replace(/\.$/, "").split("; ")) {
      const t = clause.trim();
      const platform = Object.keys(PLATFORM_HINTS).find((p) => t.startsWith(p));
      if (platform) groups.push([...(PLATFORM_HINTS[platform] ?? [])]);
      else if (/^[\w.-]+ `[^`]+`/.test(t)) {
        const [, pkg, version] = /^([\w.-]+) `([^`]+)`/.exec(t) ?? [];
        if (t.includes("from a line number")) groups.push(["trio/_core/_run.py", "_run.py"]);
        else groups.push([(version ?? "").toLowerCase()], [(pkg ?? "").toLowerCase()]);
      } else if (t.endsWith("patches on import")) {
        const lib = spans(t)[0] ?? t.split(" ")[0] ?? "";
        groups.push(shownAs(lib.toLowerCase()));
      } else patcherWords(t.toLowerCase());
    }
    return groups;
  }
  const named = /the report names (\w+)/.exec(c);
  if (named) groups.push([named[1] ?? ""]);
  const sets = /the report sets `([^`]+)`/.exec(c);
  if (sets) groups.push([(sets[1] ?? "").toLowerCase()]);
  if (c.includes("you run with `--preload`")) groups.push(["preload"]);
  if (c.includes("you already call `init_gevent()`")) groups.push(["init_gevent"]);
  if (c.includes("the text shows `thread=false`")) groups.push(shownAs("thread=false"));
  if (c.includes("the traceback shows sqlalchemy")) groups.push(["_finalize_fairy"]);
  if (c.includes("the traceback shows a `__del__`")) groups.push(["__del__"]);
  const chain = /never imports trio: (.*?)(?:\.|$)/.exec(claim);
  if (chain)
    for (const s of spans(chain[1] ?? "").filter((x) => x !== "trio")) groups.push(shownAs(s.toLowerCase()));
  const says = /the report says (`[^`]+`) came in through (`[^`]+`)/.exec(c);
  if (says) for (const s of spans(says[0])) groups.push([s]);
  const version = /(?:this report: |this report shows [\w.-]+ |you run python )`?([\d.]+)`?/.exec(c);
  if (version) groups.push([version[1] ?? ""]);
  const inReport = /\(([\w.-]+) `([^`]+)` in this report\)/.exec(c);
  if (inReport) groups.push([inReport[2] ?? ""]);
  const notPatched = /not patched, per gevent: (.*)/.exec(claim);
  if (notPatched) for (const s of spans(notPatched[1] ?? "")) groups.push([s.toLowerCase()]);
  const here = /^here (.*?) (?:had deleted|patches)/.exec(c);
  if (here && !(here[1] ?? "").startsWith("no ")) patcherWords(here[1] ?? "");
  if (c.startsWith("here no `monkey_patch()` call")) groups.push(["eventlet"]);
  return groups;
}

/** Sentences of the comment (prose lines split at ". "), code blocks and HTML left out. */
function sentences(comment: string): string[] {
  const out: string[] = [];
  let fenced = false;
  for (const line of comment.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    if (fenced || line.startsWith("<") || line.trim() === "") continue;
    for (const s of line.replace(/^- /, "").split(/(?<=\.) (?=[A-Z])/)) out.push(s.replace(/\*\*/g, ""));
  }
  return out;
}

interface Sample {
  name: string;
  text: string;
  repo?: string;
  maintainers?: string[];
}

function samples(): Sample[] {
  const out: Sample[] = readCorpus().map((c) => ({
    name: c.name,
    text: c.body,
    repo: c.repo,
    maintainers: c.maintainers,
  }));
  const root = new URL("../fixtures/rules/", import.meta.url).pathname;
  for (const rule of readdirSync(root))
    for (const f of readdirSync(join(root, rule)))
      if (f.startsWith("issue-pos-"))
        out.push({ name: `${rule}/${f}`, text: readFileSync(join(root, rule, f), "utf8") });
  return out;
}

describe("every claim about the report is backed by its text", () => {
  const all = samples();

  it("checks claims in many comments", async () => {
    const engine = await createEngine();
    let claims = 0;
    for (const s of all) {
      const r = engine.triage(s.text, {}, { repo: s.repo ?? null, maintainers: s.maintainers ?? [] });
      if (r.findings.length === 0) continue;
      for (const sentence of sentences(renderIssueComment(r.findings, r.evidence)))
        if (needs(sentence).length > 0) claims++;
    }
    expect(claims).toBeGreaterThan(80);
  });

  it.each(all.map((s) => [s.name, s] as const))("%s", async (_name, s) => {
    const engine = await createEngine();
    const r = engine.triage(s.text, {}, { repo: s.repo ?? null, maintainers: s.maintainers ?? [] });
    if (r.findings.length === 0) return;
    const text = s.text.toLowerCase();
    const unbacked: string[] = [];
    for (const sentence of sentences(renderIssueComment(r.findings, r.evidence)))
      for (const group of needs(sentence))
        if (!group.some((n) => n.length > 0 && text.includes(n)))
          unbacked.push(`${sentence}  ← needs one of ${JSON.stringify(group)}`);
    expect(unbacked).toEqual([]);
  });
});

describe("the claim reader", () => {
  it("reads what each kind of claim needs", () => {
    expect(
      needs(
        "Shown here: macOS (`macOS paths in the traceback`); trio `0.25.1` (from a line number); gunicorn's gevent worker.",
      ),
    ).toEqual([
      PLATFORM_HINTS.macOS,
      ["trio/_core/_run.py", "_run.py"],
      ["gunicorn"],
      ["gevent", "ggevent", "grequests", "locust", "curious_george"],
    ]);
    expect(needs("The report names httpx: httpcore imports trio.")).toEqual([["httpx"]]);
    expect(needs("Your code probably never imports trio: `httpx` → `httpcore` → `trio`.")).toEqual([
      ["httpx"],
      ["httpcore"],
    ]);
    expect(
      needs(
        "Here gunicorn's gevent worker (it patches before it loads your app) had deleted `select.kqueue`",
      ),
    ).toEqual([["gunicorn"], ["gevent", "ggevent", "grequests", "locust", "curious_george"]]);
    expect(needs("Upgrading httpcore does not help.")).toEqual([]);
  });
});
