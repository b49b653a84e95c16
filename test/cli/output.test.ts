/** Terminal output rules: colour, the progress line, workflow-command escaping. */
import { describe, expect, it } from "vitest";
import { colourFor, progress } from "../../src/cli/output.js";
import type { CodeFinding } from "../../src/diagnosis/types.js";
import { renderWorkflowCommands as githubAnnotations } from "../../src/report/terminal.js";

function stream(isTTY: boolean) {
  const out: string[] = [];
  return { isTTY, out, write: (s: string) => out.push(s) };
}

describe("terminal output", () => {
  it("colours a terminal only, never with NO_COLOR or TERM=dumb; FORCE_COLOR forces it", () => {
    expect(colourFor(stream(true), {})).toBe(true);
    expect(colourFor(stream(false), {})).toBe(false);
    expect(colourFor(stream(true), { NO_COLOR: "1" })).toBe(false);
    expect(colourFor(stream(true), { NO_COLOR: "" })).toBe(true);
    expect(colourFor(stream(true), { TERM: "dumb" })).toBe(false);
    expect(colourFor(stream(false), { FORCE_COLOR: "1" })).toBe(true);
    expect(colourFor(stream(false), { FORCE_COLOR: "1", NO_COLOR: "1" })).toBe(false);
  });

  it("shows a progress line only on a terminal, only after a second, and clears it", () => {
    let now = 0;
    const tty = stream(true);
    const bar = progress(tty, () => now);
    bar.update(10, 1024);
    now = 900;
    bar.update(20, 2048);
    expect(tty.out).toEqual([]);
    now = 1200;
    bar.update(30, 3 * 1024 * 1024);
    now = 1250; // throttled
    bar.update(31, 3 * 1024 * 1024);
    bar.done();
    expect(tty.out).toEqual(["\r\u001b[Kscanning: 30 files, 3.0 MiB read", "\r\u001b[K"]);
    const pipe = stream(false);
    const quiet = progress(pipe, () => now);
    now = 5000;
    quiet.update(1, 1);
    quiet.done();
    expect(pipe.out).toEqual([]);
  });

  it("escapes workflow-command properties and data, so a file name or message cannot add commands", () => {
    const f = {
      rule: "gevent-patch-late-ssl",
      confidence: "medium",
      message: "line one\n::error::forged",
      file: "a,b:c%.py",
      line: 2,
      column: 1,
      endLine: 2,
      endColumn: 5,
      fingerprint: "x",
    } as CodeFinding;
    expect(githubAnnotations([f])).toBe(
      "::notice file=a%2Cb%3Ac%25.py,line=2,endLine=2,col=1,endColumn=5,title=gevent-patch-late-ssl::line one%0A::error::forged",
    );
  });
});
