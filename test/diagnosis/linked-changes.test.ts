/** Linked pull requests as part of a thread's state (issue 19): never evidence, and a fix they make is not offered. */
import { describe, expect, it } from "vitest";
import { createEngine } from "../../src/diagnosis/engine.js";

const REPORT =
  "We use gunicorn with the gevent worker and psycopg2. Under gevent, psycopg2 queries block every other greenlet, so requests are serialised.";

const fixIds = (r: { findings: { explanation: { fixes: { id: string }[] } }[] }) =>
  r.findings[0]?.explanation.fixes.map((f) => f.id) ?? [];

describe("linked changes", () => {
  it("a linked change making the best fix resolves the finding", async () => {
    const engine = await createEngine();
    expect(fixIds(engine.triage(REPORT))[0]).toBe("gevent-psycopg2/psycogreen");
    const r = engine.triage(REPORT, {}, { changeTexts: ["Patch psycopg2 with psycogreen\nFixes #7"] });
    expect(r.findings).toEqual([]);
    expect(r.resolved).toEqual(["gevent-psycopg2"]);
  });

  it("a change that takes the fix back, or names nothing of it, changes nothing", async () => {
    const engine = await createEngine();
    const before = fixIds(engine.triage(REPORT));
    for (const change of ["Revert psycogreen patching\nIt broke the tests.", "Bump Flask to 3.1\nSee #7"])
      expect(fixIds(engine.triage(REPORT, {}, { changeTexts: [change] }))).toEqual(before);
  });

  it("a linked change making another fix leaves only that fix out", async () => {
    const engine = await createEngine();
    expect(fixIds(engine.triage(REPORT))).toContain("gevent-psycopg2/psycopg3");
    const r = engine.triage(REPORT, {}, { changeTexts: ["Move to psycopg 3\nRefs #7"] });
    expect(fixIds(r)).toContain("gevent-psycopg2/psycogreen");
    expect(fixIds(r)).not.toContain("gevent-psycopg2/psycopg3");
  });

  it("is never evidence: a pull request quoting the error opens no finding", async () => {
    const engine = await createEngine();
    const pr =
      "Handle trio on macOS\n```\nNotImplementedError: unsupported platform\n```\nWe run gunicorn -k gevent; this PR uninstalls trio.";
    expect(engine.triage("The app does not start.", {}, { changeTexts: [pr] }).findings).toEqual([]);
  });

  it("reads a bounded amount of any number of changes", async () => {
    const engine = await createEngine();
    const huge = `${"psycogreen ".repeat(200_000)}\n`;
    const many = Array.from({ length: 500 }, () => huge.slice(0, 50_000));
    const r = engine.triage(REPORT, {}, { changeTexts: [huge, ...many] });
    expect(r.findings.length + r.resolved.length).toBe(1);
  });
});
