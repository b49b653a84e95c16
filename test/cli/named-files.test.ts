/**
 * Files named one by one, as pre-commit passes them: their project is found and read once for
 * all of them (it was read once per file: 2,158 files of one project took 13 s and 800 MiB).
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { emptyReport, relevantSources } from "../../src/cli/fs-scan.js";
import type { ScannedProject } from "../../src/cli/project-scan.js";
import { FIXTURES } from "../helpers.js";

describe("files named one by one", () => {
  it("share one read of their project, and each gets its context", () => {
    const dir = mkdtempSync(join(tmpdir(), "ad-named-"));
    cpSync(join(FIXTURES, "projects", "gunicorn-conf-mysql-connector"), dir, { recursive: true });
    mkdirSync(join(dir, "pkg"));
    for (let i = 0; i < 40; i++)
      writeFileSync(join(dir, "pkg", `m${i}.py`), "import mysql.connector\n\nmysql.connector.connect()\n");
    const named = readdirSync(join(dir, "pkg")).map((n) => join(dir, "pkg", n));
    const projects: ScannedProject[] = [];
    const report = emptyReport();
    const sources = [...relevantSources([...named, join(dir, "db.py")], report, projects)];
    expect(projects).toHaveLength(1);
    expect(projects[0]?.contextOnly).toBe(true);
    expect(sources).toHaveLength(41);
    // gunicorn.conf.py (read once, for all of them) says they run under gevent.
    for (const s of sources) expect(s.context?.run?.patcher).toBe("gevent");
  });
});
