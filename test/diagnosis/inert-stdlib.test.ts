/**
 * The inert stdlib list is checked by importing each module in a fresh Python interpreter: none
 * may import a module that gevent or eventlet replace, or one that holds what they replace.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { INERT_STDLIB } from "../../src/diagnosis/python/inert-stdlib.js";

const PROGRAM = `
import json, subprocess, sys
HELD = {"threading", "socket", "ssl", "select", "selectors", "subprocess", "logging", "queue",
        "asyncio", "concurrent.futures"}
CHECK = "import sys; b = set(sys.modules); import importlib; importlib.import_module(sys.argv[1]); print(' '.join(sorted(set(sys.modules) - b)))"
out = {}
for name in json.load(sys.stdin):
    r = subprocess.run([sys.executable, "-S", "-c", CHECK, name], capture_output=True, text=True)
    if r.returncode != 0:
        out[name] = ["<import failed>"]
        continue
    out[name] = sorted(HELD & set(r.stdout.split()))
print(json.dumps(out))
`;

describe("inert stdlib modules", () => {
  it("import nothing a patcher replaces, in a real interpreter", () => {
    const names = [...INERT_STDLIB].filter((n) => n !== "__future__" && n !== "builtins");
    const out = JSON.parse(
      execFileSync("python3", ["-c", PROGRAM], { input: JSON.stringify(names), encoding: "utf8" }),
    ) as Record<string, string[]>;
    const held = Object.entries(out).filter(([, mods]) => mods.length > 0);
    expect(held).toEqual([]);
    expect(Object.keys(out).length).toBe(names.length);
  });

  it("the check can fail: threading, logging and asyncio are held", () => {
    const out = JSON.parse(
      execFileSync("python3", ["-c", PROGRAM], {
        input: JSON.stringify(["logging", "asyncio", "tempfile"]),
        encoding: "utf8",
      }),
    ) as Record<string, string[]>;
    expect(out.logging).toContain("logging");
    expect(out.asyncio?.length).toBeGreaterThan(0);
  });
});
