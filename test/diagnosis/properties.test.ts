import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createEngine } from "../../src/diagnosis/engine.js";
import { renderIssueComment } from "../../src/report/issue-comment.js";
import { code, codeBlock } from "../../src/report/markdown.js";

/** Fragments that steer the line parser into every state. */
const FRAGMENTS = [
  "Traceback (most recent call last):",
  '  File "/usr/lib/python3.11/site-packages/trio/_core/_run.py", line 2840, in <module>',
  '  File "',
  '    raise NotImplementedError("unsupported platform")',
  "NotImplementedError: unsupported platform",
  "AttributeError: module 'select' has no attribute 'epoll'",
  "During handling of the above exception, another exception occurred:",
  "```",
  "~~~~",
  "```python",
  ">>> import eventlet",
  ">>> eventlet.monkey_patch()",
  "from gevent import monkey",
  "monkey.patch_all(",
  "app_1 | ",
  "[2024-01-01 00:00:00] ",
  "2024-06-10T13:16:50.217688+00:00 app[web.1]: ",
  "gevent",
  "^^^^^^^^",
  "Name: trio",
  "Version: 0.25.1",
  "@maintainer <script>",
  "`".repeat(50),
  "a".repeat(300),
  "",
];

const adversarial = fc
  .array(
    fc.oneof(
      fc.nat(FRAGMENTS.length - 1).map((i) => FRAGMENTS[i] as string),
      fc.string({ maxLength: 40 }),
    ),
    { maxLength: 200 },
  )
  .map((parts) => parts.join("\n"));

describe("never throws", () => {
  it("triage on arbitrary unicode", async () => {
    const engine = await createEngine();
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 2000 }), (s) => {
        const r = engine.triage(s);
        expect(Array.isArray(r.findings)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
  it("triage and rendering on adversarial structure", async () => {
    const engine = await createEngine();
    fc.assert(
      fc.property(adversarial, (s) => {
        const r = engine.triage(s);
        const md = renderIssueComment(r.findings, r.evidence);
        expect(typeof md).toBe("string");
      }),
      { numRuns: 300 },
    );
  });
  it("scan on arbitrary and adversarial Python", async () => {
    const engine = await createEngine();
    fc.assert(
      fc.property(
        fc.oneof(
          adversarial,
          fc.string({ unit: "binary", maxLength: 1000 }).map((s) => `import gevent\n${s}`),
        ),
        (s) => {
          const r = engine.scanSource("x.py", s);
          for (const f of r.findings) expect(f.line).toBeGreaterThan(0);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("stays linear", () => {
  // Work grows with the input, not faster: 8x the input may cost at most ~8x (generous slack for noise).
  it("triage time grows linearly on pathological repetition", async () => {
    const engine = await createEngine();
    const unit = `${FRAGMENTS.join("\n")}\n${'  File "x.py", line 1, in f\n'.repeat(50)}${"`".repeat(200)}\n`;
    const time = (n: number) => {
      const text = unit.repeat(n);
      const t0 = performance.now();
      engine.triage(text);
      return performance.now() - t0;
    };
    time(5);
    const small = Math.max(time(20), 1);
    const large = time(160);
    expect(large).toBeLessThan(small * 8 * 4 + 100);
  });
});

describe("escaping", () => {
  it("code spans and blocks can hold any text", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const span = code(s, 10_000);
        const n = /^`+/.exec(span)?.[0].length ?? 0;
        const inner = span.slice(n, span.length - n);
        expect(inner.includes("`".repeat(n))).toBe(false);
        const block = codeBlock(s);
        const fence = block.split("\n")[0] ?? "";
        expect(s.includes(fence)).toBe(false);
      }),
    );
  });
});
