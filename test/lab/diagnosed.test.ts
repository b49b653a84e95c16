/**
 * The rules recognise the failures the mechanism lab observed, as the libraries printed them. Each lab
 * step marked `diagnose` raised for real (lab/results.json, committed); its traceback is written out the
 * way Python prints it (with the frames' functions and source lines, and repeated lines folded), under a
 * site-packages folder of the platform the case ran on or simulated, and triaged like an issue.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CASES } from "../../lab/cases.mjs";
import { createEngine } from "../../src/diagnosis/engine.js";

type Frame = [string, number, string?, string?];
interface Step {
  raised: string | null;
  exception?: string;
  message?: string;
  frames?: Frame[];
  output?: string;
}
interface Observed {
  simulated?: string | null;
  warnings?: string[];
  versions?: Record<string, string | null>;
  steps?: Record<string, Step | null>;
}

const results: { cases: { id: string; observed: Observed }[] } = JSON.parse(
  readFileSync(new URL("../../lab/results.json", import.meta.url), "utf8"),
);

const PROGRAMS = new Set([...readdirSync(new URL("../../lab/cases/", import.meta.url)), "harness.py"]);

/** A traceback as CPython prints it, from the frames the lab recorded. */
function tracebackText(step: Step, macos: boolean, python: string): string {
  const home = macos ? "/Users/lab/project/" : "/home/lab/project/";
  const site = `${home}.venv/lib/python${python}/site-packages/`;
  const stdlib = macos
    ? `/Library/Frameworks/Python.framework/Versions/${python}/lib/python${python}/`
    : `/usr/lib/python${python}/`;
  const out = ["Traceback (most recent call last):"];
  let previous = "";
  let repeats = 0;
  const flush = () => {
    if (repeats > 3) out.push(`  [Previous line repeated ${repeats - 3} more times]`);
  };
  for (const [file, line, fn, source] of step.frames ?? []) {
    const key = `${file}:${line}:${fn}`;
    if (key === previous) repeats += 1;
    else {
      flush();
      repeats = 1;
    }
    previous = key;
    if (repeats > 3) continue;
    // The lab's own programs sit in the project; other top-level files (ssl.py) are the standard library's.
    const dir = PROGRAMS.has(file) ? home : file.includes("/") ? site : stdlib;
    out.push(`  File "${dir}${file}", line ${line}, in ${fn ?? "<module>"}`);
    if (source) out.push(`    ${source}`);
  }
  flush();
  out.push(`${step.exception ?? step.raised}: ${(step.message ?? "").split("\n")[0]}`);
  return out.join("\n");
}

const marked = CASES.flatMap((c) =>
  Object.entries(c.expect)
    .filter(([, want]) => typeof want.diagnose === "string")
    .map(([step, want]) => ({ id: c.id, step, rule: want.diagnose ?? "", says: want.says ?? "" })),
);

describe("the rules recognise what the lab's libraries printed", () => {
  it("marks the failures it observed", () => {
    expect(marked.length).toBeGreaterThanOrEqual(15);
  });

  it.each(marked)("$id, $step → $rule", async ({ id, step, rule, says }) => {
    const observed = results.cases.find((c) => c.id === id)?.observed;
    const got = observed?.steps?.[step];
    expect(got?.raised, `${id}: the lab saw no failure at ${step}`).toBeTruthy();
    if (!observed || !got) return;
    const macos = observed.simulated === "macOS";
    const python = (observed.versions?.python ?? "3.11").split(".").slice(0, 2).join(".");
    const text = [
      `I get this error${macos ? " on my Mac" : ""}. ${says}`,
      "",
      "```",
      ...(observed.warnings ?? []),
      // A program the case ran (gunicorn) printed its own report: that is what a reporter pastes.
      got.output ?? tracebackText(got, macos, python),
      "```",
    ].join("\n");
    const engine = await createEngine();
    const r = engine.triage(text);
    expect(
      r.findings.map((f) => f.rule),
      text,
    ).toContain(rule);
    if (macos) expect(r.evidence.context.platform.platform).toBe("macos");
  });
});
