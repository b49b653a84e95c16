/**
 * The issue corpus: real public threads. Each case gives exactly its expected ids, and its
 * comment passes the facts a maintainer insists on: the platform it tells, the import chain,
 * the first fix (by id), and phrases it must and must not contain.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CATALOG } from "../../src/diagnosis/catalog.js";
import { createEngine } from "../../src/diagnosis/engine.js";
import { beforeFold, renderIssueComment, wordCount } from "../../src/report/issue-comment.js";
import { adviceProblems, readCorpus } from "../helpers.js";

const cases = readCorpus();
const FIX_IDS = new Set(CATALOG.flatMap((r) => r.fixes.map((f) => f.id)));

describe("issue corpus", () => {
  it("has the whole corpus, each case with its source and its advice facts", () => {
    expect(cases.length).toBeGreaterThanOrEqual(66);
    for (const c of cases) {
      expect(c.source, c.name).toMatch(/^[\w.-]+\/[\w.-]+#\d+ \(https:\/\/github\.com\//);
      expect(["macos", "linux", "freebsd", "windows", "unknown"], c.name).toContain(c.platform);
      if (c.expected.length > 0) {
        expect(c.firstFix, `${c.name}: first_fix`).not.toBeNull();
        expect(FIX_IDS.has(c.firstFix ?? ""), `${c.name}: ${c.firstFix} is a fix id`).toBe(true);
      }
    }
  });
  for (const c of cases) {
    it(`${c.name} -> [${c.expected.join(", ")}]`, async () => {
      const engine = await createEngine();
      const r = engine.triage(c.body, {}, { repo: c.repo, maintainers: c.maintainers });
      expect(r.findings.map((f) => f.rule).sort()).toEqual([...c.expected].sort());
      for (const f of r.findings) expect(f.evidence.length).toBeGreaterThan(0);
      if (r.findings.length === 0) return;
      const comment = renderIssueComment(r.findings, r.evidence);
      const first = r.findings.find((f) => f.rule === c.expected[0]) ?? r.findings[0];
      expect(first?.explanation.fixes[0]?.id, "first fix").toBe(c.firstFix);
      expect(adviceProblems(comment, c), c.name).toEqual([]);
      // A maintainer's length: the answer before the fold, everything in at most 200 words.
      expect(wordCount(beforeFold(comment)), `${c.name}: words before the fold`).toBeLessThanOrEqual(80);
      expect(wordCount(comment), `${c.name}: words in all`).toBeLessThanOrEqual(200);
    });
  }
});

describe("comment length", () => {
  it("counts words as a reader does: tags and link targets are not words, code spans are", () => {
    expect(wordCount("**Fix:** run `pip uninstall trio` now")).toBe(6);
    expect(
      wordCount("<details><summary>Why</summary>\n\nsee [the page](https://example.com/a/b)</details>"),
    ).toBe(4);
    expect(wordCount("```text\nline 3: boom\n```")).toBe(4);
    expect(beforeFold("answer\n\n<details><summary>x</summary>\n\nmore</details>")).toBe("answer\n\n");
  });
});

describe("the README's example comment", () => {
  it("is what the App posts for the founding report", async () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const shown =
      /<!-- example-comment:start -->\n````markdown\n([\s\S]*?)\n````\n<!-- example-comment:end -->/.exec(
        readme,
      )?.[1];
    const c = cases.find((x) => x.name.startsWith("001-"));
    expect(c).toBeDefined();
    if (!c) return;
    const engine = await createEngine();
    const r = engine.triage(c.body, {}, { repo: c.repo, maintainers: c.maintainers });
    const comment = renderIssueComment(r.findings, r.evidence);
    if (process.env.UPDATE_README === "1" && shown !== undefined) {
      // `UPDATE_README=1 npx vitest run test/diagnosis/corpus.test.ts` rewrites the example.
      writeFileSync(
        new URL("../../README.md", import.meta.url),
        readme.replace(shown, () => comment),
      );
      return;
    }
    expect(shown).toBe(comment);
  });
});
