import { describe, expect, it } from "vitest";
import { createEngine } from "../../src/diagnosis/engine.js";
import { readCorpus } from "../helpers.js";

const cases = readCorpus();

describe("issue corpus", () => {
  it("has the whole corpus, each case with its source line", () => {
    expect(cases.length).toBeGreaterThanOrEqual(41);
    for (const c of cases) expect(c.source).toMatch(/^[\w.-]+\/[\w.-]+#\d+ \(https:\/\/github\.com\//);
  });
  for (const c of cases) {
    it(`${c.name} -> [${c.expected.join(", ")}]`, async () => {
      const engine = await createEngine();
      const { findings } = engine.triage(c.body);
      expect(findings.map((f) => f.rule).sort()).toEqual([...c.expected].sort());
      for (const f of findings) expect(f.evidence.length).toBeGreaterThan(0);
    });
  }
});
