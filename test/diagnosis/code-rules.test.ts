import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createEngine } from "../../src/diagnosis/engine.js";
import { FIXTURES } from "../helpers.js";

const dir = join(FIXTURES, "rules");

describe("suggested fixes", () => {
  const fixFor = async (name: string, source: string) => {
    const engine = await createEngine();
    return engine.scanSource(name, source).findings.find((f) => f.fix)?.fix;
  };
  it("adds use_pure=True inside a one-line call", async () => {
    const fix = await fixFor(
      "a.py",
      'from gevent import monkey\nmonkey.patch_all()\nimport mysql.connector\ncnx = mysql.connector.connect(user="app")  # db\n',
    );
    expect(fix).toEqual({
      startLine: 4,
      endLine: 4,
      text: 'cnx = mysql.connector.connect(user="app", use_pure=True)  # db',
    });
  });
  it("adds use_pure=True to an empty call", async () => {
    const fix = await fixFor(
      "a.py",
      "import grequests\nimport mysql.connector\nc = mysql.connector.connect()\n",
    );
    expect(fix?.text).toBe("c = mysql.connector.connect(use_pure=True)");
  });
  it("adds an argument line when the paren closes on its own line", async () => {
    const src = readFileSync(join(dir, "mysql-cext-under-gevent", "code-pos-connector-multiline.py"), "utf8");
    const fix = await fixFor("m.py", src);
    expect(fix).toEqual({
      startLine: 5,
      endLine: 8,
      text: 'db = connect(  # expect: mysql-cext-under-gevent\n    host="db",\n    user="app",\n    use_pure=True,\n)',
    });
  });
  it("handles a trailing comma on the same line", async () => {
    const fix = await fixFor(
      "a.py",
      "import grequests\nfrom mysql import connector\nc = connector.connect(user=1,)\n",
    );
    expect(fix?.text).toBe("c = connector.connect(user=1, use_pure=True)");
  });
  it("widens an ImportError-only guard around import trio", async () => {
    const fix = await fixFor(
      "t.py",
      "try:\n    import trio\nexcept ImportError as e:  # optional\n    trio = None\n",
    );
    expect(fix).toEqual({
      startLine: 3,
      endLine: 3,
      text: "except (ImportError, NotImplementedError, AttributeError) as e:  # optional",
    });
  });
});

describe("hostile and large sources", () => {
  it("parses a 5 MB file and still finds the one problem in it", async () => {
    const engine = await createEngine();
    const filler = 'def f_{i}(x):\n    """doc"""\n    return [y * 2 for y in range(x) if y % 3]\n\n';
    const parts = ["import requests\nfrom gevent import monkey\n"];
    let size = 0;
    for (let i = 0; size < 5 * 1024 * 1024; i++) {
      const chunk = filler.replace("{i}", String(i));
      parts.push(chunk);
      size += chunk.length;
    }
    parts.push("monkey.patch_all()\n");
    const source = parts.join("");
    const { findings } = engine.scanSource("big.py", source);
    expect(findings.map((f) => f.rule)).toEqual(["gevent-patch-late-ssl"]);
    expect(findings[0]?.line).toBe(source.split("\n").length - 1);
  });
  it("skips files the prefilter rules out without parsing", async () => {
    const engine = await createEngine();
    const r = engine.scanSource("plain.py", "import os\nprint(os.getcwd())\n");
    expect(r.parsed).toBe(false);
    expect(r.findings).toEqual([]);
  });
  it("survives syntax soup", async () => {
    const engine = await createEngine();
    const soup =
      "from gevent import monkey\nmonkey.patch_all(((\nimport requests ]]]\n\u0000\ufffd def async def ::\n";
    expect(() => engine.scanSource("soup.py", soup)).not.toThrow();
  });
});

describe("code rules on real trees", () => {
  it("does not report trio's own package as an optional trio import", async () => {
    const engine = await createEngine();
    const src = "try:\n    from trio.socket import AF_UNIX\nexcept ImportError:\n    AF_UNIX = None\n";
    expect(engine.scanSource("src/trio/_highlevel_open_unix_stream.py", src).findings).toEqual([]);
    expect(engine.scanSource("mylib/_compat.py", src).findings.map((f) => f.rule)).toEqual([
      "trio-import-unguarded",
    ]);
  });
});
