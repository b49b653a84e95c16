/** The layering, read from the imports of every source file. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = new URL("../src/", import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

/** Relative imports of a file, as paths relative to src/ (`diagnosis/rules/x.ts`). */
function imports(file: string): string[] {
  const out: string[] = [];
  const text = readFileSync(file, "utf8");
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+"(\.[^"]+)"/g)) {
    const spec = m[1] ?? "";
    out.push(relative(SRC, resolve(dirname(file), spec)).replace(/\.js$/, ".ts"));
  }
  for (const m of text.matchAll(/import\("(\.[^"]+)"\)/g))
    out.push(relative(SRC, resolve(dirname(file), m[1] ?? "")).replace(/\.js$/, ".ts"));
  return out;
}

const ALL = files(SRC).map((f) => ({ path: relative(SRC, f), imports: imports(f), lines: 0, file: f }));
for (const f of ALL) f.lines = readFileSync(f.file, "utf8").split("\n").length;

function violations(from: string, forbidden: string[]): string[] {
  return ALL.filter((f) => f.path.startsWith(from)).flatMap((f) =>
    f.imports.filter((i) => forbidden.some((x) => i.startsWith(x))).map((i) => `${f.path} -> ${i}`),
  );
}

describe("layering", () => {
  it("reads the imports it checks", () => {
    expect(ALL.length).toBeGreaterThan(40);
    expect(ALL.find((f) => f.path === "handlers/sync-comments.ts")?.imports).toContain("github/review.ts");
  });
  it("the core (diagnosis/) imports nothing from report/, github/, handlers/, cli/ or config/", () => {
    // It is the pure part every face shares: it must run in an App, an Action, a CLI or a browser.
    expect(violations("diagnosis/", ["report/", "github/", "handlers/", "cli/", "config/"])).toEqual([]);
  });
  it("report/ imports nothing from github/, handlers/ or cli/", () => {
    // Texts are built once for every audience; they must not depend on how they are delivered.
    expect(violations("report/", ["github/", "handlers/", "cli/"])).toEqual([]);
  });
  it("github/, handlers/, config/ and cli/ reach rules only through the catalogue and the engine", () => {
    for (const layer of ["github/", "handlers/", "config/", "cli/", "report/"])
      expect(violations(layer, ["diagnosis/rules/"])).toEqual([]);
  });
  it("the playground (playground/) uses only the core, the renderers and the configuration policy", () => {
    // It runs in a browser with no server: nothing that talks to GitHub, queues or the file system.
    expect(
      violations("playground/", ["github/", "handlers/", "cli/", "server/", "queue/", "diagnosis/rules/"]),
    ).toEqual([]);
    expect(ALL.some((f) => f.path === "playground/web/main.ts")).toBe(true);
  });
  it("github/ does not import handlers/ or cli/", () => {
    expect(violations("github/", ["handlers/", "cli/"])).toEqual([]);
  });
  it("rule modules import no other rule module (shared helpers live in rules/shared and rules/trio)", () => {
    const rules = ALL.filter(
      (f) => /^diagnosis\/rules\/[^/]+\.ts$/.test(f.path) && !f.path.endsWith("index.ts"),
    );
    const bad = rules.flatMap((f) =>
      f.imports.filter((i) => /^diagnosis\/rules\/[^/]+\.ts$/.test(i)).map((i) => `${f.path} -> ${i}`),
    );
    expect(bad).toEqual([]);
  });
  it("no source file is over 300 lines", () => {
    expect(ALL.filter((f) => f.lines > 300).map((f) => `${f.path}: ${f.lines}`)).toEqual([]);
  });
});

describe("no unbounded spread", () => {
  it("the lint plugin refuses an array spread into a call, and src/ has none", async () => {
    const { execFileSync } = await import("node:child_process");
    const { mkdtempSync, writeFileSync, copyFileSync, mkdirSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const root = new URL("../", import.meta.url).pathname;
    const dir = mkdtempSync(join(tmpdir(), "ad-lint-"));
    mkdirSync(join(dir, "lint"));
    copyFileSync(join(root, "lint/no-spread-call.grit"), join(dir, "lint/no-spread-call.grit"));
    writeFileSync(join(dir, "biome.json"), JSON.stringify({ plugins: ["./lint/no-spread-call.grit"] }));
    writeFileSync(
      join(dir, "a.ts"),
      "export function f(xs: number[], ...rest: number[]) {\n  const a = [...xs];\n  a.push(...rest);\n  return Math.max(0, ...a) + [...a].length;\n}\n",
    );
    const biome = join(root, "node_modules/.bin/biome");
    let out = "";
    try {
      execFileSync(biome, ["lint", "a.ts"], { cwd: dir, encoding: "utf8", stdio: "pipe" });
    } catch (e) {
      out = `${(e as { stdout?: string }).stdout ?? ""}${(e as { stderr?: string }).stderr ?? ""}`;
    }
    // The push and Math.max calls; never the rest parameter or the array literals.
    expect(out.match(/Spread into a call/g)).toHaveLength(2);
    expect(out).toContain("a.ts:3:");
    expect(out).toContain("a.ts:4:");
    const src = execFileSync(biome, ["lint", "src"], { cwd: root, encoding: "utf8", stdio: "pipe" });
    expect(src).not.toContain("Spread into a call");
  });
});
