import { describe, expect, it } from "vitest";
import { createEngine } from "../../src/diagnosis/engine.js";
import { neutralizeComments } from "../../src/diagnosis/python/neutralize.js";
import { loadPythonParser } from "../../src/diagnosis/python/parser.js";

describe("comments out of the parser's way", () => {
  it("blanks comments, keeps strings that hold #, and keeps every line and column", () => {
    const src = [
      "x = 'a # not a comment'  # zap one",
      's = """',
      "# inside a docstring",
      '"""',
      't = "esc \\" # still string"  # comment \'with quotes\'',
      "u = f'{x}#'",
      "v = 1  # async-doctor: ignore[gevent-grpc]",
      "w = 'unterminated # rest",
      "y = 2 # last\r\nz = 3",
    ].join("\n");
    const { text, marked } = neutralizeComments(src);
    expect(text.length).toBe(src.length);
    expect(text.split("\n").map((l) => l.length)).toEqual(src.split("\n").map((l) => l.length));
    expect(text).toContain("'a # not a comment'");
    expect(text).toContain("# inside a docstring");
    expect(text).toContain('"esc \\" # still string"');
    expect(text).toContain("f'{x}#'");
    expect(text).not.toContain("zap one");
    expect(text).not.toContain("with quotes");
    expect(text).not.toContain("# last");
    expect(text).toContain("z = 3");
    expect(marked).toEqual([{ line: 7, text: "# async-doctor: ignore[gevent-grpc]" }]);
  });

  it("parses a file of tens of thousands of comment lines and still finds and suppresses", async () => {
    const engine = await createEngine();
    const comments = "# a line of commentary that goes on\n".repeat(40_000);
    const src = `${comments}from gevent import monkey\nmonkey.patch_all()\nimport trio\nimport trio.lowlevel  # async-doctor: ignore\n`;
    const r = engine.scanSource("big.py", src);
    expect(r.parsed).toBe(true);
    expect(r.findings.map((f) => [f.rule, f.line])).toEqual([["gevent-trio-same-process", 40_003]]);
  });

  it("gives up a parse that runs out of its time budget, and says so", async () => {
    const parser = await loadPythonParser();
    const huge = `x = [\n${"  (1, 2, {'a': [3]}),\n".repeat(200_000)}]\n`;
    expect(parser.parse(huge, 1)).toBeNull();
    expect(parser.parse("x = 1\n")).not.toBeNull(); // the parser is usable again
  });
});
