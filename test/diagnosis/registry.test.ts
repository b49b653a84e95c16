import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CODE_RULE_IDS, ISSUE_RULE_IDS, RULE_IDS, RULES } from "../../src/diagnosis/rules/index.js";

const DOCS = new URL("../../docs/rules/", import.meta.url).pathname;
const SRC = new URL("../../src/diagnosis/rules/", import.meta.url).pathname;

describe("rule registry", () => {
  it("has the 14 issue ids and the 8 code ids of the knowledge base", () => {
    expect([...ISSUE_RULE_IDS].sort()).toEqual(
      [
        "trio-unsupported-platform",
        "trio-epoll-missing",
        "trio-eventlet-greensocket",
        "gevent-patch-late-ssl",
        "gevent-asyncio-mix",
        "gevent-grpc",
        "gevent-psycopg2",
        "gevent-psycopg3-cext",
        "greenlet-thread-switch",
        "gevent-loopexit",
        "mysql-cext-under-gevent",
        "trio-nested-run",
        "eventlet-patch-late",
        "select-primitive-removed",
      ].sort(),
    );
    expect([...CODE_RULE_IDS].sort()).toEqual(
      [
        "gevent-patch-late-ssl",
        "gevent-trio-same-process",
        "trio-import-unguarded",
        "gevent-asyncio-mix",
        "blocking-db-in-async",
        "mysql-cext-under-gevent",
        "gevent-grpc",
        "eventlet-patch-late",
      ].sort(),
    );
  });
  it("registers every rule module, one file per id, each with a doc page", () => {
    const files = readdirSync(SRC).filter((f) => f.endsWith(".ts") && f !== "index.ts");
    expect(files.map((f) => f.replace(/\.ts$/, "")).sort()).toEqual([...RULE_IDS].sort());
    for (const r of RULES) {
      const page = `${DOCS}${r.id}.md`;
      expect(existsSync(page), r.id).toBe(true);
      expect(readFileSync(page, "utf8").startsWith(`# ${r.id}\n`)).toBe(true);
    }
    expect(readdirSync(DOCS).length).toBe(RULES.length);
  });
});
