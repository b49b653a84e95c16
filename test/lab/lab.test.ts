/**
 * The mechanism lab keeps the knowledge true: the lab runs every case against the real libraries
 * (where they are installed; CI requires them), and the committed docs/KNOWLEDGE.md must be what
 * it generates from what it saw. A claim the libraries contradict fails here.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CASES } from "../../lab/cases.mjs";

const ROOT = new URL("../../", import.meta.url).pathname;
const debian = spawnSync("/usr/bin/python3", ["-c", "import gevent, eventlet, trio"]).status === 0;
const required = process.env.ASYNC_DOCTOR_REQUIRE_LAB === "1";
if (!debian && !required)
  console.warn("lab skipped: Debian's python3-gevent, python3-eventlet and python3-trio are not installed");

describe.skipIf(!debian && !required)("the mechanism lab", () => {
  it("every case holds, and docs/KNOWLEDGE.md is what the lab shows", () => {
    const out = mkdtempSync(join(tmpdir(), "ad-lab-"));
    const r = spawnSync(process.execPath, [join(ROOT, "lab/run.mjs"), "--out", out], {
      encoding: "utf8",
      timeout: 600_000,
    });
    // The lab's table (case, result, what it ran on) goes to the run's log.
    console.log(r.stdout);
    const failed = (r.stdout ?? "").split("\n").filter((l) => l.includes(" FAIL ") || l.startsWith("    "));
    expect(failed, r.stderr).toEqual([]);
    expect(r.status).toBe(0);
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as {
      cases: { id: string }[];
    };
    expect(results.cases.map((c) => c.id)).toEqual(CASES.map((c) => c.id));
    expect(readFileSync(join(out, "KNOWLEDGE.md"), "utf8")).toBe(
      readFileSync(join(ROOT, "docs/KNOWLEDGE.md"), "utf8"),
    );
  }, 600_000);
});

describe("every fix the rules offer is shown to work", () => {
  it("names lab cases that exist, or cites a source", async () => {
    const { REGISTRY } = await import("../../src/diagnosis/registry.js");
    const ids = new Set(CASES.map((c) => c.id));
    const problems: string[] = [];
    let fixes = 0;
    for (const rule of REGISTRY.rules)
      for (const fix of rule.issue?.fixes ?? []) {
        fixes++;
        const v = fix.verified;
        if ("lab" in v) {
          if (v.lab.length === 0) problems.push(`${rule.id}/${fix.id}: no lab case`);
          for (const id of v.lab) if (!ids.has(id)) problems.push(`${rule.id}/${fix.id}: no lab case ${id}`);
        } else if (!/https?:\/\/|\.py\b|corpus case /.test(v.source))
          problems.push(`${rule.id}/${fix.id}: the source cites no document, file or thread`);
      }
    expect(fixes).toBeGreaterThan(40);
    expect(problems).toEqual([]);
  });
});
