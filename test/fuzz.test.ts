/**
 * Fuzzing (fast-check, bounded for CI): Python sources through the parser and the code rules,
 * issue texts through triage, and configuration texts through validation never throw, and no
 * single input takes more than a second.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { validateConfigText } from "../src/config/validate.js";
import { createEngine } from "../src/diagnosis/engine.js";
import { readImportLines } from "../src/diagnosis/project/import-lines.js";

const RUNS = Number(process.env.FUZZ_RUNS ?? 500);

/** Python-ish text: fragments that stress the lexer and the grammar, in any order. */
const pythonish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        "from gevent import monkey\n",
        "monkey.patch_all()\n",
        "import trio\n",
        "try:\n    import trio\nexcept ImportError:\n    trio = None\n",
        "import mysql.connector\ncnx = mysql.connector.connect(user='u')\n",
        '"""doc # not a comment\n',
        "'''\n",
        "# comment\n",
        "#".repeat(50),
        "\\\n",
        "(",
        ")",
        "[",
        "f'{x}'",
        "\t",
        "\r",
        "async def f():\n    await asyncio.sleep(0)\n",
        "async-doctor: ignore[",
      ),
      fc.string({ maxLength: 40 }),
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(""));

const yamlish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        "pull_requests:\n",
        "  fail_on: high\n",
        "  include: ['**/*.py']\n",
        "issues:\n  mode: comment\n",
        "rules:\n  gevent-grpc: off\n",
        "&a [1, 2]\n",
        "*a\n",
        "_extends: .github\n",
        "{",
        "[",
        "]",
        "}",
        ": ",
        "- ",
        "'",
        '"',
        "\n",
      ),
      fc.string({ maxLength: 30 }),
    ),
    { maxLength: 80 },
  )
  .map((parts) => parts.join(""));

function timed<T>(fn: () => T): T {
  const t = performance.now();
  const out = fn();
  expect(performance.now() - t).toBeLessThan(1000);
  return out;
}

describe("fuzzing", () => {
  it("Python sources: the engine never throws, and stays within a second", async () => {
    const engine = await createEngine();
    fc.assert(
      fc.property(pythonish, (src) => {
        const r = timed(() => engine.scanSource("fuzz.py", src, {}, { run: null }));
        expect(Array.isArray(r.findings)).toBe(true);
        timed(() => readImportLines(src));
      }),
      { numRuns: RUNS },
    );
  });

  it("issue texts: triage never throws, and stays within a second", async () => {
    const engine = await createEngine();
    fc.assert(
      fc.property(fc.tuple(pythonish, fc.string({ maxLength: 200 })), ([code, prose]) => {
        const text = `${prose}\n\`\`\`python\n${code}\n\`\`\`\nNotImplementedError: unsupported platform`;
        const r = timed(() => engine.triage(text));
        for (const f of r.findings) expect(f.explanation.summary.length).toBeGreaterThan(0);
      }),
      { numRuns: RUNS },
    );
  });

  it("configuration texts: validation never throws, and stays within a second", () => {
    fc.assert(
      fc.property(yamlish, (text) => {
        const problems = timed(() => validateConfigText(text));
        expect(Array.isArray(problems)).toBe(true);
      }),
      { numRuns: RUNS * 2 },
    );
  });
});
