/**
 * One table-driven test over every rule's fixture folder (test/fixtures/rules/<id>/):
 * - `code-*.py`: each finding's anchor line carries `# expect: <id>[, <id>]`; lines without it
 *   (or with `# ok`) must have none. The set of (rule, line) pairs must match exactly.
 * - `issue-pos-*.md` / `issue-neg-*.md`: an issue text; positives give exactly the folder's
 *   rule, negatives give nothing, unless a first line `<!-- expect: a, b -->` (or `none`) says otherwise.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeSource } from "../../src/cli/fs-scan.js";
import { CATALOG } from "../../src/diagnosis/catalog.js";
import { createEngine } from "../../src/diagnosis/engine.js";
import { beforeFold, renderIssueComment, wordCount } from "../../src/report/issue-comment.js";
import { annotated, FIXTURES } from "../helpers.js";

const DIR = join(FIXTURES, "rules");

function issueExpectation(text: string, rule: string, positive: boolean): string[] {
  const first = text.split("\n")[0] ?? "";
  const m = /^<!-- expect: (.*) -->$/.exec(first);
  if (m)
    return m[1] === "none"
      ? []
      : (m[1] ?? "")
          .split(",")
          .map((s) => s.trim())
          .sort();
  return positive ? [rule] : [];
}

describe("rule fixtures", () => {
  for (const rule of CATALOG) {
    const files = readdirSync(join(DIR, rule.id)).sort();
    it(`${rule.id} has a positive and a negative fixture for each kind it has`, () => {
      if (rule.kinds.includes("code")) {
        expect(files.some((f) => f.startsWith("code-pos-"))).toBe(true);
        expect(files.some((f) => f.startsWith("code-neg-"))).toBe(true);
      }
      if (rule.kinds.includes("issue")) {
        expect(files.some((f) => f.startsWith("issue-pos-"))).toBe(true);
        expect(files.some((f) => f.startsWith("issue-neg-"))).toBe(true);
      }
      for (const f of files) expect(f).toMatch(/^(code-(pos|neg)-.+\.pyi?|issue-(pos|neg)-.+\.md)$/);
    });
    for (const file of files) {
      it(`${rule.id}/${file}`, async () => {
        const engine = await createEngine();
        const raw = readFileSync(join(DIR, rule.id, file));
        if (file.startsWith("code-")) {
          const source = decodeSource(raw) ?? "";
          const want = annotated(source);
          if (file.startsWith("code-pos-")) expect(want.some((w) => w.startsWith(`${rule.id}@`))).toBe(true);
          else expect(want.some((w) => w.startsWith(`${rule.id}@`))).toBe(false);
          const { findings } = engine.scanSource(file, source);
          expect(findings.map((f) => `${f.rule}@${f.line}`).sort()).toEqual(want);
          for (const f of findings) {
            expect(f.evidenceLines).toContain(f.line);
            expect(f.evidence.length).toBeGreaterThan(0);
            expect(f.fingerprint).toMatch(/^[0-9a-f]{16}$/);
          }
        } else {
          const text = raw.toString("utf8");
          const want = issueExpectation(text, rule.id, file.startsWith("issue-pos-"));
          if (file.startsWith("issue-neg-")) expect(want).not.toContain(rule.id);
          const { findings } = engine.triage(text);
          expect(findings.map((f) => f.rule).sort()).toEqual(want);
          if (findings.length > 0) {
            const comment = renderIssueComment(findings, engine.triage(text).evidence);
            expect(wordCount(beforeFold(comment)), "words before the fold").toBeLessThanOrEqual(80);
            expect(wordCount(comment), "words in all").toBeLessThanOrEqual(200);
          }
          for (const f of findings) {
            expect(f.evidence.length).toBeGreaterThan(0);
            expect(f.explanation.fixes.length).toBeGreaterThan(0);
            for (const fix of f.explanation.fixes) expect(fix.id.startsWith(`${f.rule}/`)).toBe(true);
          }
        }
      });
    }
  }
});
