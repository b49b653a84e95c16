import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { stale } from "../../src/cli/artefacts.js";
import { CATALOG, RULE_IDS } from "../../src/diagnosis/catalog.js";
import { createEngine } from "../../src/diagnosis/engine.js";
import { REGISTRY } from "../../src/diagnosis/registry.js";
import { FIXTURES } from "../helpers.js";

const ROOT = new URL("../../", import.meta.url).pathname;
const SRC = new URL("../../src/diagnosis/rules/", import.meta.url).pathname;

describe("rule registry", () => {
  it("registers every rule module, one file per id, and a fixture folder per rule", () => {
    const files = readdirSync(SRC).filter((f) => f.endsWith(".ts") && f !== "index.ts");
    expect(files.map((f) => f.replace(/\.ts$/, "")).sort()).toEqual([...RULE_IDS].sort());
    expect(readdirSync(`${FIXTURES}rules`).sort()).toEqual([...RULE_IDS].sort());
  });

  it("keeps fix ids unique and excludes pointing at real rules", () => {
    const ids = CATALOG.flatMap((r) => r.fixes.map((f) => f.id));
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of CATALOG) for (const x of r.excludes) expect(RULE_IDS).toContain(x);
    for (const r of CATALOG) if (r.kinds.includes("issue")) expect(r.fixes.length, r.id).toBeGreaterThan(0);
  });

  it("derives the call set from the rules' declared calls (asyncio.Runner included)", () => {
    for (const name of ["patch_all", "monkey_patch", "Runner", "run_until_complete", "cursor", "init_gevent"])
      expect(REGISTRY.wanted.calls.has(name), name).toBe(true);
  });

  it("derives the prefilter: needles of one rule's groups must all be present", () => {
    expect(REGISTRY.prefilter("import os\nprint('hello')\n")).toBe(false);
    expect(REGISTRY.prefilter("async def f():\n    pass\n")).toBe(false); // async without a sync driver
    expect(REGISTRY.prefilter("import sqlite3\nasync def f(): sqlite3.connect('x')\n")).toBe(true);
    expect(REGISTRY.prefilter(Buffer.from("try:\n    import trio\nexcept ImportError:\n    pass\n"))).toBe(
      true,
    );
  });

  it("derives the hunk needles and the family vocabulary", () => {
    expect(REGISTRY.hunkMayMatter("+monkey.patch_all()")).toBe(true);
    expect(REGISTRY.hunkMayMatter("+x = 1")).toBe(false);
    expect(REGISTRY.mentionsFamily("my gevent worker")).toBe(true);
    expect(REGISTRY.mentionsFamily("the button is blue")).toBe(false);
  });

  it("applies declared excludes: trio's epoll failure is not also a generic one", async () => {
    const engine = await createEngine();
    const text =
      "gunicorn -k gevent\n  File \"/srv/app/lib/python3.11/site-packages/trio/_core/_io_epoll.py\", line 189, in EpollIOManager\nAttributeError: module 'select' has no attribute 'epoll'";
    expect(engine.triage(text).findings.map((f) => f.rule)).toEqual(["trio-epoll-missing"]);
    // Switching the excluding rule off does not revive the excluded one.
    expect(engine.triage(text, { enabled: (id) => id !== "trio-epoll-missing" }).findings).toEqual([]);
  });

  it("has every generated artefact up to date (run `npm run generate`)", () => {
    expect(stale(ROOT)).toEqual([]);
  });
});
