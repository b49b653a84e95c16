/** setup.py's dependency lists, read without running it. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readManifest } from "../../../src/diagnosis/project/manifests.js";
import { setupPyRequirements } from "../../../src/diagnosis/project/setup-py.js";

const reqs = (text: string) => setupPyRequirements(text).map((r) => `${r.line}:${r.text}`);

describe("setup.py", () => {
  it("reads the literal lists of install_requires and extras_require, with their lines", () => {
    const text = [
      "from setuptools import setup",
      "setup(",
      "    install_requires=[\"gevent>=22\", 'trio==0.25.1',  # why",
      '        "httpx"],',
      '    extras_require={"grpc": ["grpcio==1.50.0"], "all": ["a" + "b", "c"]},',
      '    setup_requires=["setuptools_scm"],',
      '    tests_require=["pytest"],',
      ")",
    ].join("\n");
    expect(reqs(text)).toEqual(["3:gevent>=22", "3:trio==0.25.1", "4:httpx", "5:grpcio==1.50.0", "5:c"]);
  });

  it("follows a name to the list assigned to it", () => {
    const text = [
      "install_requires = [",
      '    "psycopg2==2.9.9",',
      "]",
      "EXTRAS = {'mysql': ['mysqlclient']}",
      "setup(install_requires=install_requires, extras_require=EXTRAS)",
    ].join("\n");
    expect(reqs(text)).toEqual(["2:psycopg2==2.9.9", "4:mysqlclient"]);
  });

  it("reads nothing computed, commented, or inside a docstring; counts the docstring's lines", () => {
    const text = [
      '"""Docs.',
      'install_requires=["in-docstring"]',
      '"""',
      "# install_requires=['commented']",
      "setup(",
      "    install_requires=open('requirements.txt').read().splitlines(),",
      '    extras_require={"x": [f"pkg=={V}", "lib%s" % V, *BASE]},',
      ")",
      'install_requires = ["late==1.0"]',
    ].join("\n");
    expect(reqs(text)).toEqual(["9:late==1.0"]);
  });

  it("as a manifest: dependencies with file and line, a setup.py over 512 KiB not read", () => {
    const read = readManifest("svc/setup.py", 'setup(install_requires=["trio==0.26.2"])\n');
    expect(read.deps.map((d) => `${d.name} ${d.version} ${d.file}:${d.line}`)).toEqual([
      "trio 0.26.2 svc/setup.py:1",
    ]);
    expect(readManifest("setup.py", `# ${"x".repeat(600 * 1024)}\n`).error).toBe("larger than 512 KiB");
  });

  it("never throws, and reads a long list whole, on any text", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.constantFrom(
            "install_requires",
            "=",
            "[",
            "]",
            "{",
            "}",
            '"a"',
            "'b",
            '"""',
            "#",
            "\n",
            ",",
            "x",
            "\\",
          ),
          {
            maxLength: 200,
          },
        ),
        (parts) => {
          setupPyRequirements(parts.join(""));
        },
      ),
    );
    expect(setupPyRequirements(`install_requires=[${'"a",'.repeat(100_000)}]`)).toHaveLength(100_000);
    // Thousands of nested keyword lists, read in one pass (walking each to its end took 10 s).
    const nested = `${"install_requires=[".repeat(20_000)}"a",${"]".repeat(20_000)}`;
    expect(setupPyRequirements(nested)).toEqual([{ text: "a", line: 1 }]);
  });
});
