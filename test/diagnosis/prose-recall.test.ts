/** Reports that tell the problem in prose: the comment says what it inferred, and fits the reporter's setup. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createEngine } from "../../src/diagnosis/engine.js";
import { renderIssueComment } from "../../src/report/issue-comment.js";

const fixture = (path: string) => readFileSync(new URL(`../fixtures/rules/${path}`, import.meta.url), "utf8");

async function comment(text: string) {
  const r = (await createEngine()).triage(text);
  return { ids: r.findings.map((f) => f.rule), md: renderIssueComment(r.findings, r.evidence), r };
}

describe("prose recall", () => {
  it("a --preload RecursionError under the gevent worker: medium, drop --preload first", async () => {
    const { ids, md, r } = await comment(
      fixture("gevent-patch-late-ssl/issue-pos-preload-recursion-prose.md"),
    );
    expect(ids).toEqual(["gevent-patch-late-ssl"]);
    expect(r.findings[0]?.explanation.fixes[0]?.id).toBe("gevent-patch-late-ssl/gunicorn-no-preload");
    expect(md).toContain("medium confidence");
    expect(md).toContain("you run with `--preload`");
  });

  it("a Celery gevent pool freezing on Postgres: psycopg2 inferred and said so, psycogreen placed for celery", async () => {
    const { ids, md, r } = await comment(fixture("gevent-psycopg2/issue-pos-celery-postgres-inferred.md"));
    expect(ids).toEqual(["gevent-psycopg2"]);
    expect(r.findings[0]?.explanation.fixes[0]?.id).toBe("gevent-psycopg2/psycogreen");
    expect(md).toContain("if it is psycopg2");
    expect(md).toContain("celery's gevent pool");
    expect(md).not.toContain("gunicorn");
  });

  it("async_to_sync turned into a greenlet: gevent-asyncio-mix, medium", async () => {
    const { ids, md } = await comment(fixture("gevent-asyncio-mix/issue-pos-async-to-sync-prose.md"));
    expect(ids).toEqual(["gevent-asyncio-mix"]);
    expect(md).toContain("medium confidence");
    expect(md).toContain("greenlets on one OS thread");
  });
});
