/** planFixes on its own: overlapping edits, one edit that two findings share, a changed file. */
import { describe, expect, it } from "vitest";
import { planFixes } from "../../src/cli/fix.js";
import type { CodeFinding, Replacement } from "../../src/diagnosis/types.js";

const finding = (rule: string, fix: Replacement): CodeFinding =>
  ({
    rule,
    file: "m.py",
    line: fix.startLine,
    column: 1,
    endLine: fix.endLine,
    endColumn: 1,
    confidence: "high",
    message: rule,
    fix,
  }) as CodeFinding;

const source = "a = 1\nb = 2\nc = 3\n";

describe("planFixes", () => {
  it("makes an edit two findings share once, and counts both fixed", () => {
    const edit = { startLine: 2, endLine: 2, text: "b = 20" };
    const plan = planFixes([finding("one", edit), finding("two", { ...edit })], () => source);
    expect(plan.skipped).toEqual([]);
    expect(plan.files[0]?.after).toBe("a = 1\nb = 20\nc = 3\n");
    expect(plan.files[0]?.fixed.map((f) => f.rule).sort()).toEqual(["one", "two"]);
  });

  it("leaves a different edit of the same lines for the next run, and says so", () => {
    const plan = planFixes(
      [
        finding("one", { startLine: 2, endLine: 3, text: "b = 20\nc = 3" }),
        finding("two", { startLine: 2, endLine: 2, text: "b = 21" }),
      ],
      () => source,
    );
    expect(plan.files[0]?.fixed).toHaveLength(1);
    expect(plan.skipped.map((s) => s.reason)).toEqual(["another fix edits the same lines (run --fix again)"]);
  });

  it("refuses an edit past the end of a file that changed since it was read", () => {
    const plan = planFixes([finding("one", { startLine: 9, endLine: 9, text: "x" })], () => source);
    expect(plan.files).toEqual([]);
    expect(plan.skipped.map((s) => s.reason)).toEqual(["the file changed since it was read"]);
  });
});
