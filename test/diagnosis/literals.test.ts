/** LiteralSet answers as the alternation of its words does, on text and on bytes. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LiteralSet } from "../../src/diagnosis/literals.js";
import { REGISTRY } from "../../src/diagnosis/registry.js";

const alternation = (words: string[]) =>
  new RegExp(words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"));
const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);

// Texts made of pieces of the words (so near misses are common), ASCII filler and a few non-ASCII characters.
const pieces = [
  "gev",
  "gevent",
  "ent",
  "trio",
  "tri",
  "ssl",
  "SSL",
  "SSLContext",
  "req",
  "requests",
  "a",
  ".",
  "\n",
  " ",
  "é",
  "€",
  "grpc",
  "_my",
  "mysql",
];
const text = fc.array(fc.constantFrom(...pieces), { maxLength: 40 }).map((a) => a.join(""));
const word = fc.oneof(
  fc.constantFrom(...pieces.filter((p) => p.length > 0 && p.charCodeAt(0) < 128)),
  fc.string({ minLength: 1, maxLength: 6 }),
);

describe("LiteralSet", () => {
  it("agrees with the alternation of its words on text and on bytes", () => {
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 12 }), text, (words, s) => {
        const ascii = words.filter((w) => [...w].every((c) => c.charCodeAt(0) < 128));
        fc.pre(ascii.length > 0);
        const set = new LiteralSet(ascii);
        const expected = alternation(ascii).test(s);
        expect(set.test(s)).toBe(expected);
        if ([...s].every((c) => c.charCodeAt(0) < 256)) expect(set.test(latin1(s))).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });

  it("finds a word at the very start and the very end, and not a prefix cut by the end", () => {
    const set = new LiteralSet(["gevent", "ssl"]);
    expect(set.test("gevent = 1")).toBe(true);
    expect(set.test("x = ssl")).toBe(true);
    expect(set.test("import geven")).toBe(false);
    expect(set.test("ss")).toBe(false);
    expect(set.test(new Uint8Array())).toBe(false);
  });

  it("is the scan's prefilter: a module with none of the rules' words is rejected, one with them passes", () => {
    expect(REGISTRY.prefilter("import os\nprint(os.getcwd())\n")).toBe(false);
    const patched = "from gevent import monkey\nmonkey.patch_all()\nimport trio\n";
    expect(REGISTRY.prefilter(patched)).toBe(true);
    expect(REGISTRY.prefilter(latin1(patched))).toBe(true);
  });
});
