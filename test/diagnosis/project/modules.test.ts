import { describe, expect, it } from "vitest";
import { readImportLines } from "../../../src/diagnosis/project/import-lines.js";
import { ModuleGraph } from "../../../src/diagnosis/project/modules.js";

function graph(files: Record<string, string>): ModuleGraph {
  return new ModuleGraph(Object.keys(files), (p) => files[p] ?? null);
}

describe("import lines", () => {
  it("reads plain, from, relative, aliased, parenthesised and continued imports", () => {
    const src = [
      "import os, json as j",
      "from . import settings",
      "from ..core.db import (",
      "    connect,",
      "    close as shut,",
      ")",
      "from pkg import a, \\",
      "    b",
      "try:",
      "    from ._trio import Runner  # optional",
      "except ImportError:",
      "    pass",
      "from gevent import monkey; monkey.patch_all()",
    ].join("\n");
    const got = readImportLines(src).map((i) => [i.line, i.level, i.module, i.names.join(","), i.topLevel]);
    expect(got).toEqual([
      [1, 0, "os", "", true],
      [1, 0, "json", "", true],
      [2, 1, "", "settings", true],
      [3, 2, "core.db", "connect,close", true],
      [7, 0, "pkg", "a,b", true],
      [10, 1, "_trio", "Runner", false],
      [13, 0, "gevent", "monkey", true],
    ]);
  });

  it("skips triple-quoted strings and invalid names", () => {
    const src = [
      '"""Docs.',
      "import trio",
      '"""',
      "x = '''",
      "from a import b",
      "'''",
      "import trio here",
      "from the module import x",
    ].join("\n");
    expect(readImportLines(src)).toEqual([]);
  });

  it("stays linear on hostile input", () => {
    const src = `${"from (".repeat(10_000)}\n${"import a,".repeat(50_000)}\n${'"""'.repeat(20_000)}`;
    // Linear: it completes within the test's timeout, and the long lines yield nothing.
    expect(readImportLines(src)).toEqual([]);
  });
});

describe("module graph", () => {
  const files = {
    "main.py": "from gevent import monkey\nmonkey.patch_all()\nimport app\n",
    "app/__init__.py": "from .views import index\nfrom app import models\n",
    "app/views.py": "import httpx\n",
    "app/models.py": "from .. import nothing\n",
    "src/lib/__init__.py": "try:\n    from lib import backend\nexcept ImportError:\n    pass\n",
    "src/lib/backend.py": "from ._impl import x\n",
    "src/lib/_impl.py": "def f():\n    import trio\nfrom trio import lowlevel\n",
    "tools/run.py": "import helper\n",
    "tools/helper.py": "import os\n",
  };
  const g = graph(files);

  it("resolves absolute, relative, src-layout and script-folder imports", () => {
    const imp = (path: string, n: number) =>
      g.imports(path)[n] as NonNullable<ReturnType<typeof g.imports>[0]>;
    expect(g.resolve("main.py", imp("main.py", 1))).toEqual(["app/__init__.py"]);
    expect(g.resolve("app/__init__.py", imp("app/__init__.py", 0))).toEqual(["app/views.py"]);
    expect(g.resolve("app/__init__.py", imp("app/__init__.py", 1))).toEqual([
      "app/__init__.py",
      "app/models.py",
    ]);
    expect(g.resolve("src/lib/__init__.py", imp("src/lib/__init__.py", 0))).toEqual([
      "src/lib/__init__.py",
      "src/lib/backend.py",
    ]);
    expect(g.resolve("tools/run.py", imp("tools/run.py", 0), ["tools"])).toEqual(["tools/helper.py"]);
    expect(g.resolve("app/models.py", imp("app/models.py", 0))).toEqual([]);
  });

  it("follows imports after a line, with the shortest chain", () => {
    const r = g.reachable("main.py", 2);
    expect([...r.keys()].sort()).toEqual(["app/__init__.py", "app/models.py", "app/views.py"]);
    expect(r.get("app/views.py")?.map((s) => `${s.file}:${s.line}`)).toEqual([
      "main.py:3",
      "app/__init__.py:1",
    ]);
    expect(g.reachable("main.py", 3).size).toBe(0);
  });

  it("finds the chain to a package import, and to an unconditional one", () => {
    expect(g.chainTo("main.py", 2, new Set(["httpx"]))?.map((s) => `${s.file}:${s.line}`)).toEqual([
      "main.py:3",
      "app/__init__.py:1",
      "app/views.py:1",
    ]);
    expect(g.chainTo("main.py", 2, new Set(["trio"]))).toBeNull();
    expect(
      g.topLevelChain("src/lib/backend.py", new Set(["trio"]))?.map((s) => `${s.file}:${s.line}`),
    ).toEqual(["src/lib/backend.py:1", "src/lib/_impl.py:3"]);
    expect(g.topLevelChain("app/views.py", new Set(["trio"]))).toBeNull();
  });

  it("survives import cycles", () => {
    const c = graph({ "a.py": "import b\n", "b.py": "import a\nimport c\n", "c.py": "import a\n" });
    expect([...c.reachable("a.py").keys()].sort()).toEqual(["b.py", "c.py"]);
    expect(c.topLevelChain("a.py", new Set(["trio"]))).toBeNull();
  });
});

describe("hostile projects", () => {
  it("bounds a module with thousands of guarded imports of modules that import each other", () => {
    const files: Record<string, string> = { "pkg/__init__.py": "" };
    const lines = ["try:"];
    for (let i = 0; i < 3000; i++) {
      lines.push(`    from .m${i} import x`);
      files[`pkg/m${i}.py`] = Array.from(
        { length: 30 },
        (_, k) => `from . import m${(i + k + 1) % 3000}`,
      ).join("\n");
    }
    lines.push("except ImportError:\n    pass");
    files["pkg/__init__.py"] = lines.join("\n");
    files["pkg/m2999.py"] = "import trio\n";
    const g = graph(files);
    const chains = [...Array(3000).keys()].map((i) => g.topLevelChain(`pkg/m${i}.py`, new Set(["trio"])));
    expect(chains.filter(Boolean).length).toBeGreaterThan(0);
    expect(g.reachable("pkg/__init__.py").size).toBe(3000);
  });

  it("cuts absurd import lines and statements", () => {
    const src = `from x import (${"a, ".repeat(200_000)}\n${"b,\n".repeat(10_000)})\nimport ${"y".repeat(100_000)}\n`;
    const got = readImportLines(src);
    expect(got.length).toBeLessThanOrEqual(1);
    expect((got[0]?.names.length ?? 0) < 5000).toBe(true);
  });
});
