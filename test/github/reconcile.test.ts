import { describe, expect, it } from "vitest";
import type { CodeFinding } from "../../src/diagnosis/types.js";
import { reconcile } from "../../src/github/reconcile.js";
import { planComments, postedFindings } from "../../src/github/review.js";
import { introduced } from "../../src/handlers/introduced.js";

type Item = { key: string; body: string; id: number; human?: boolean };
const opts = {
  desiredKey: (d: Item) => d.key,
  existingKey: (e: Item) => e.key,
  same: (d: Item, e: Item) => d.body === e.body,
  protect: (e: Item) => e.human === true,
};

describe("reconcile", () => {
  it("creates what is missing, updates what differs, keeps what matches, removes the rest", () => {
    const plan = reconcile(
      [
        { key: "a", body: "A", id: 0 },
        { key: "b", body: "B2", id: 0 },
        { key: "c", body: "C", id: 0 },
      ],
      [
        { key: "b", body: "B1", id: 1 },
        { key: "c", body: "C", id: 2 },
        { key: "d", body: "D", id: 3 },
        { key: "e", body: "E", id: 4, human: true },
      ],
      opts,
    );
    expect(plan.create.map((d) => d.key)).toEqual(["a"]);
    expect(plan.update.map((u) => [u.want.body, u.have.id])).toEqual([["B2", 1]]);
    expect(plan.keep.map((e) => e.id).sort()).toEqual([2, 4]);
    expect(plan.remove.map((e) => e.id)).toEqual([3]);
  });
  it("keeps the first of duplicates and removes the later ones", () => {
    const plan = reconcile(
      [{ key: "s", body: "x", id: 0 }],
      [
        { key: "s", body: "old", id: 1 },
        { key: "s", body: "x", id: 2 },
      ],
      opts,
    );
    expect(plan.update.map((u) => u.have.id)).toEqual([1]);
    expect(plan.remove.map((e) => e.id)).toEqual([2]);
    expect(plan.create).toEqual([]);
  });
});

function finding(fp: string, lines = [3]): CodeFinding {
  return {
    rule: "gevent-grpc",
    confidence: "high",
    message: "m",
    file: "a.py",
    line: lines[0] ?? 1,
    column: 1,
    endLine: lines[0] ?? 1,
    endColumn: 2,
    evidenceLines: lines,
    evidence: [],
    fingerprint: fp,
  };
}

describe("review comments across pushes", () => {
  const bot = { type: "Bot", login: "async-doctor[bot]" };
  const human = { type: "User", login: "dev" };
  const marker = (fp: string) => `<!-- async-doctor:finding fp=${fp} rule=gevent-grpc -->\nbody`;
  it("posts only new findings, deletes stale comments unless a human replied, never deletes review bodies", () => {
    const posted = postedFindings(
      [
        { id: 1, body: marker("keep"), user: bot },
        { id: 2, body: marker("stale"), user: bot },
        { id: 3, body: marker("discussed"), user: bot },
        { id: 4, body: "why?", user: human, in_reply_to_id: 3 },
        { id: 5, body: marker("forged"), user: human },
        { id: 6, body: marker("other-app"), user: { type: "Bot", login: "other-app[bot]" } },
      ],
      [
        { body: `- x ${marker("inbody")}`, user: bot },
        { body: `- y ${marker("other-body")}`, user: { type: "Bot", login: "other-app[bot]" } },
      ],
      { login: "async-doctor[bot]" },
    );
    const plan = planComments([finding("keep"), finding("new"), finding("inbody")], posted);
    expect(plan.create.map((f) => f.fingerprint)).toEqual(["new"]);
    expect(plan.remove.map((p) => p.commentId)).toEqual([2]);
    expect(plan.keep.map((p) => p.fingerprint).sort()).toEqual(["discussed", "inbody", "keep"]);
    // Another App's comments carrying our marker are not ours: never planned for deletion.
    expect(posted.some((p) => p.commentId === 6)).toBe(false);
  });
});

describe("what a pull request introduced", () => {
  it("keeps findings on added lines or absent at the base", () => {
    const head = [finding("old-untouched", [3]), finding("old-touched", [5, 9]), finding("new", [12])];
    const base = new Set(["old-untouched", "old-touched"]);
    const added = new Set([9]);
    expect(introduced({ head, base, added }, "added").map((f) => f.fingerprint)).toEqual([
      "old-touched",
      "new",
    ]);
    expect(introduced({ head, base, added }, "changed-files")).toHaveLength(3);
  });
});
