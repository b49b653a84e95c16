import { describe, expect, it } from "vitest";
import { anyGlob, globProblem, matcher } from "../../src/config/globs.js";
import { validateConfigText } from "../../src/config/validate.js";
import { createEngine } from "../../src/diagnosis/engine.js";
import type { CodeFinding } from "../../src/diagnosis/types.js";
import { conclusionFor } from "../../src/github/checks.js";
import { hunkOf, parsePatch } from "../../src/github/diff.js";
import { selectFiles } from "../../src/github/pr-files.js";
import { placeFindings } from "../../src/github/review.js";
import { renderReviewComment } from "../../src/report/review.js";

const PATCH = `@@ -1,3 +1,5 @@
 import os
+import requests
+from gevent import monkey
 import sys
-import json
+monkey.patch_all()
@@ -40,2 +42,3 @@ def main():
     run()
+    stop()
 \\ No newline at end of file`;

describe("patch parsing", () => {
  it("reads hunks of the new side and the added lines", () => {
    const p = parsePatch(PATCH);
    expect(p.hunks).toEqual([
      { start: 1, end: 5 },
      { start: 42, end: 44 },
    ]);
    expect([...p.added]).toEqual([2, 3, 5, 43]);
    expect(hunkOf(p.hunks, 2, 5)).toEqual({ start: 1, end: 5 });
    expect(hunkOf(p.hunks, 5, 42)).toBeNull();
    expect(parsePatch(undefined)).toEqual({ hunks: [], added: new Set() });
    expect(parsePatch("@@ garbage @@\n+x").hunks).toEqual([]);
  });
});

describe("globs", () => {
  it("matches **, *, ? and {a,b}", () => {
    const g = (glob: string, path: string) => anyGlob([glob])(path);
    expect(g("**/*.py", "a/b/c.py")).toBe(true);
    expect(g("**/*.py", "c.py")).toBe(true);
    expect(g("src/*.py", "src/a/b.py")).toBe(false);
    expect(g("tests/**", "tests/x/y.py")).toBe(true);
    expect(g("*.{py,pyi}", "m.pyi")).toBe(true);
    expect(g("**/*.py", ".github/scripts/x.py")).toBe(true);
    // A wildcard inside braces (the old hand-written matcher threw building its expression).
    expect(g("{**/*.py,**/*.pyi}", "pkg/m.pyi")).toBe(true);
    expect(g("{src/**/*.py,tools/*.py}", "tools/run.py")).toBe(true);
    expect(globProblem("{**/*.py,**/*.pyi}")).toBeNull();
    expect(globProblem("x".repeat(501))).toMatch(/longer than 500/);
    const m = matcher(["**/*.py"], ["vendor/**"]);
    expect(m("app/x.py")).toBe(true);
    expect(m("vendor/lib.py")).toBe(false);
    expect(m("README.md")).toBe(false);
  });
});

describe("file selection", () => {
  it("reads files whose patch passes the prefilter or adds an import, and files with no patch", async () => {
    const read = selectFiles(
      [
        { filename: "a.py", status: "modified", patch: "@@ -1 +1 @@\n+from gevent import monkey" },
        { filename: "b.py", status: "modified", patch: "@@ -1 +1 @@\n+import requests" },
        { filename: "c.py", status: "modified", patch: "@@ -1 +1 @@\n+x = 1" },
        { filename: "d.py", status: "modified" },
        { filename: "e.py", status: "removed", patch: "@@ -1 +0,0 @@\n-import gevent" },
        { filename: "f.txt", status: "added", patch: "@@ -0,0 +1 @@\n+gevent" },
      ],
      matcher(["**/*.py"], []),
      (await createEngine()).registry.hunkMayMatter,
    );
    expect(read.map((f) => f.filename)).toEqual(["a.py", "b.py", "d.py"]);
  });
});

function finding(line: number, extra: Partial<CodeFinding> = {}): CodeFinding {
  return {
    rule: "gevent-grpc",
    confidence: "high",
    message: "m",
    file: "app.py",
    line,
    column: 1,
    endLine: line,
    endColumn: 2,
    evidenceLines: [line],
    evidence: [],
    fingerprint: `fp${line}`,
    ...extra,
  };
}

describe("placement", () => {
  const hunks = new Map([
    [
      "app.py",
      [
        { start: 1, end: 5 },
        { start: 42, end: 44 },
      ],
    ],
  ]);
  const opts = { maxComments: 20, suggestions: true };

  it("inline on hunk lines, file-level outside hunks, body for files not in the diff", () => {
    const p = placeFindings([finding(3), finding(20), finding(2, { file: "other.py" })], hunks, opts);
    expect(p.inline.map((i) => [i.comment.path, i.comment.line, i.comment.side])).toEqual([
      ["app.py", 3, "RIGHT"],
    ]);
    expect(p.fileLevel.map((f) => f.line)).toEqual([20]);
    expect(p.body.map((f) => f.file)).toEqual(["other.py"]);
  });

  it("suggests only when the replacement stays within one hunk, as a range comment", () => {
    const fix = { startLine: 2, endLine: 4, text: "a\nb\nc" };
    const p = placeFindings([finding(2, { fix })], hunks, opts);
    expect(p.inline[0]?.comment).toMatchObject({
      start_line: 2,
      line: 4,
      start_side: "RIGHT",
      side: "RIGHT",
    });
    expect(p.inline[0]?.comment.body).toContain("```suggestion\na\nb\nc\n```");
    const across = placeFindings(
      [finding(5, { fix: { startLine: 5, endLine: 42, text: "x" } })],
      hunks,
      opts,
    );
    expect(across.inline[0]?.comment.start_line).toBeUndefined();
    expect(across.inline[0]?.comment.body).not.toContain("suggestion");
    const off = placeFindings([finding(2, { fix })], hunks, { ...opts, suggestions: false });
    expect(off.inline[0]?.comment.body).not.toContain("suggestion");
  });

  it("caps inline comments; the rest go to the body", () => {
    const p = placeFindings([finding(1), finding(2), finding(3), finding(4)], hunks, {
      ...opts,
      maxComments: 2,
    });
    expect(p.inline).toHaveLength(2);
    expect(p.body.map((f) => f.line)).toEqual([3, 4]);
  });

  it("makes the suggestion fence longer than any backtick run in the code", () => {
    const body = renderReviewComment(finding(1, { fix: { startLine: 1, endLine: 1, text: 'x = "````"' } }), {
      suggestion: true,
    });
    expect(body).toContain('`````suggestion\nx = "````"\n`````');
  });
});

describe("check conclusion", () => {
  it("success when clean, neutral with findings by default, failure as configured", () => {
    expect(conclusionFor([], "never", false)).toBe("success");
    expect(conclusionFor([finding(1)], "never", false)).toBe("neutral");
    expect(conclusionFor([finding(1, { confidence: "medium" })], "high", false)).toBe("neutral");
    expect(conclusionFor([finding(1)], "high", false)).toBe("failure");
    expect(conclusionFor([finding(1, { confidence: "medium" })], "any", false)).toBe("failure");
    expect(conclusionFor([], "never", true)).toBe("failure");
  });
});

describe("config validation with lines", () => {
  it("points schema errors and syntax errors at their lines", () => {
    expect(validateConfigText("issues:\n  mode: comment\n")).toEqual([]);
    const problems = validateConfigText(
      "version: 1\nissues:\n  mode: loud\npull_requests:\n  max_comments: 500\nbogus: 1\n",
    );
    expect(problems.map((p) => p.line).sort()).toEqual([3, 5, 6]);
    expect(problems.find((p) => p.line === 3)?.message).toContain("issues.mode");
    expect(validateConfigText("issues: [\n")[0]?.message).toContain("YAML syntax");
  });
});

describe("engine on a PR-sized file", () => {
  it("gives the same fingerprint for the same line after it moves", async () => {
    const engine = await createEngine();
    const a = engine.scanSource(
      "m.py",
      "import requests\nfrom gevent import monkey\nmonkey.patch_all()\n",
    ).findings;
    const b = engine.scanSource(
      "m.py",
      "import os\n\nimport requests\nfrom gevent import monkey\nmonkey.patch_all()\n",
    ).findings;
    expect(a[0]?.line).not.toBe(b[0]?.line);
    expect(a[0]?.fingerprint).toBe(b[0]?.fingerprint);
  });
});
