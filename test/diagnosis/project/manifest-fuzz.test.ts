/**
 * Every manifest and lock format, fuzzed with hostile shapes (thousands of entries, blank lines
 * before them, duplicate and malformed keys, long lines, continuations): reading never throws,
 * takes time linear in the input (a fixed budget per character, checked per input), and never
 * keeps more than MAX_MANIFEST_ENTRIES entries.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_MANIFEST_ENTRIES } from "../../../src/diagnosis/project/manifest-index.js";
import { readManifest } from "../../../src/diagnosis/project/manifests.js";
import { readProject } from "../../../src/diagnosis/project/project.js";

const RUNS = Math.max(10, Math.floor(Number(process.env.FUZZ_RUNS ?? 500) / 20));

/** 100 ms plus 6 µs per character: a 100 KB file gets 0.7 s (the quadratic reader took 2-4 s). */
const budgetMs = (chars: number) => 100 + chars * 0.006;

interface Format {
  path: string;
  head: string;
  /** One entry; `i` makes names distinct, `dup` repeats one name. */
  entry: (i: number, dup: boolean) => string;
  join: string;
  tail: string;
}

const FORMATS: Format[] = [
  {
    path: "pyproject.toml",
    head: "[project]\nname = 'x'\ndependencies = [\n",
    entry: (i, dup) => `"${dup ? "gevent" : `pkg${i}`}>=1.${i}"`,
    join: ",\n",
    tail: "\n]\n",
  },
  {
    path: "pyproject.toml",
    head: "[tool.poetry.dependencies]\n",
    entry: (i, dup) => `${dup ? "gevent" : `pkg-${i}`} = { version = "^1.${i}", extras = ["a"] }`,
    join: "\n",
    tail: "\n",
  },
  {
    path: "Pipfile",
    head: "[packages]\n",
    entry: (i, dup) => `"${dup ? "trio" : `pkg_${i}`}" = "==1.${i}"`,
    join: "\n",
    tail: "\n",
  },
  {
    path: "Pipfile.lock",
    head: '{"default": {\n',
    entry: (i) => `    "pkg${i}": {"version": "==1.${i}"}`,
    join: ",\n",
    tail: "\n}}\n",
  },
  {
    path: "poetry.lock",
    head: "",
    entry: (i, dup) => `[[package]]\nname = "${dup ? "gevent" : `pkg${i}`}"\nversion = "1.${i}"\n`,
    join: "\n",
    tail: "",
  },
  {
    path: "uv.lock",
    head: "version = 1\n",
    entry: (i) => `[[package]]\nname = "pkg${i}"\nversion = "0.${i}"\nsource = { registry = "x" }\n`,
    join: "\n",
    tail: "",
  },
  {
    path: "pdm.lock",
    head: "[metadata]\ngroups = ['default']\n",
    entry: (i, dup) => `[[package]]\nname = "${dup ? "trio" : `pkg${i}`}"\nversion = "2.${i}"\n`,
    join: "\n",
    tail: "",
  },
  {
    path: "requirements.txt",
    head: "",
    entry: (i, dup) => (dup ? "httpcore==1.0.9 \\" : `pkg${i}>=1 --hash=sha256:${"a".repeat(16)}`),
    join: "\n",
    tail: "\n",
  },
  {
    path: "setup.cfg",
    head: "[options]\ninstall_requires =\n",
    entry: (i) => `    pkg${i}>=1`,
    join: "\n",
    tail: "\n",
  },
];

const shape = fc.record({
  format: fc.integer({ min: 0, max: FORMATS.length - 1 }),
  entries: fc.integer({ min: 0, max: 9000 }),
  blankLines: fc.integer({ min: 0, max: 20_000 }),
  dupEvery: fc.integer({ min: 0, max: 7 }),
  noise: fc.constantFrom("", "#", "=", '"', "'", "[", "name = ", "\\", "x".repeat(5000)),
});

describe("manifest fuzzing", () => {
  it("reads every format in linear time, never throws, and caps the entries it keeps", () => {
    fc.assert(
      fc.property(shape, ({ format, entries, blankLines, dupEvery, noise }) => {
        const f = FORMATS[format] as Format;
        const list = Array.from({ length: entries }, (_, i) =>
          f.entry(i, dupEvery > 0 && i % dupEvery === 0),
        );
        const text = `${"\n".repeat(blankLines)}${noise}\n${f.head}${list.join(f.join)}${f.tail}${noise}`;
        const t = performance.now();
        const r = readManifest(f.path, text);
        const ms = performance.now() - t;
        expect(ms).toBeLessThan(budgetMs(text.length));
        expect(r.deps.length).toBeLessThanOrEqual(MAX_MANIFEST_ENTRIES);
        for (const d of r.deps) expect(d.line).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: RUNS * FORMATS.length },
    );
  });

  it("a project of many large manifests is read within a linear budget", () => {
    const files = new Map<string, string>();
    for (let k = 0; k < 8; k++)
      files.set(
        `svc${k}/pyproject.toml`,
        `${"\n".repeat(20_000)}[project]\ndependencies = [\n${Array.from({ length: 8000 }, (_, i) => `"p${k}x${i}>=1"`).join(",\n")}\n]\n`,
      );
    let chars = 0;
    for (const t of files.values()) chars += t.length;
    const t = performance.now();
    const project = readProject(files);
    expect(performance.now() - t).toBeLessThan(budgetMs(chars));
    expect(project.deps.all).toHaveLength(8 * MAX_MANIFEST_ENTRIES);
    expect(project.deps.problems.map((p) => p.reason)).toEqual(
      Array(8).fill("more than 5,000 entries: the first 5,000 were read, 3,000 more were not"),
    );
  });
});
