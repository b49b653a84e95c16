import { describe, expect, it } from "vitest";
import { createEngine } from "../../src/diagnosis/engine.js";
import { readContext } from "../../src/diagnosis/text/context.js";
import { readIssueText } from "../../src/diagnosis/text/evidence.js";
import { findCodeBlocks, splitLines, stripLogPrefix } from "../../src/diagnosis/text/lines.js";
import { POST_EDGE_CHARS, THREAD_CHARS, threadOf } from "../../src/diagnosis/text/thread.js";
import {
  classifyPath,
  MAX_FRAMES,
  MAX_TRACEBACKS,
  parseExceptionLine,
  parseTracebacks,
} from "../../src/diagnosis/text/traceback.js";
import { renderIssueComment } from "../../src/report/issue-comment.js";

const TB = `Traceback (most recent call last):
  File "/Users/me/venv/lib/python3.12/site-packages/httpx/__init__.py", line 2, in <module>
    from ._api import delete
  File "/Users/me/venv/lib/python3.12/site-packages/httpcore/_synchronization.py", line 11, in <module>
    import trio
  File "/Users/me/venv/lib/python3.12/site-packages/trio/_core/_run.py", line 2950, in <module>
    raise NotImplementedError("unsupported platform")
NotImplementedError: unsupported platform`;

describe("log prefixes", () => {
  it.each([
    ['app_1            |   File "/x.py", line 1', '  File "/x.py", line 1'],
    ["web-1  | RuntimeError: boom", "RuntimeError: boom"],
    [
      '2024-06-10T13:16:50.217688+00:00 app[web.1]:   File "/a.py", line 3, in f',
      '  File "/a.py", line 3, in f',
    ],
    [
      "[2024-02-18 21:08:17 -0800] [42822] [ERROR] Exception in worker process",
      "Exception in worker process",
    ],
    [
      "E   AttributeError: type object 'socket' has no attribute 'sendmsg'",
      "  AttributeError: type object 'socket' has no attribute 'sendmsg'",
    ],
    ["> quoted line", "quoted line"],
  ])("%s", (input, out) => {
    expect(stripLogPrefix(input).trim()).toBe(out.trim());
  });
});

describe("code blocks", () => {
  it("finds ``` and ~~~ fences, longer fences and unclosed blocks", () => {
    const lines = splitLines("a\n```python\nimport x\n```\n~~~~\n```\ninside\n~~~~\n````\nopen");
    const { blocks } = findCodeBlocks(lines);
    expect(blocks.map((b) => [b.lang, b.lines])).toEqual([
      ["python", ["import x"]],
      ["", ["```", "inside"]],
      ["", ["open"]],
    ]);
  });
});

describe("tracebacks", () => {
  it("reads frames, sources, packages, modules and the exception", () => {
    const [tb] = parseTracebacks(splitLines(TB));
    expect(tb?.frames.map((f) => [f.pkg, f.module, f.line])).toEqual([
      ["httpx", "httpx", 2],
      ["httpcore", "httpcore._synchronization", 11],
      ["trio", "trio._core._run", 2950],
    ]);
    expect(tb?.frames[1]?.source).toBe("import trio");
    expect(tb?.exception).toMatchObject({ type: "NotImplementedError", message: "unsupported platform" });
  });

  it("accepts docker-compose and timestamp prefixes, and tracebacks cut at the start", () => {
    const text = TB.split("\n")
      .slice(3)
      .map((l) => `worker_1  | ${l}`)
      .join("\n");
    const [tb] = parseTracebacks(splitLines(text));
    expect(tb?.frames.map((f) => f.pkg)).toEqual(["httpcore", "trio"]);
    expect(tb?.exception?.type).toBe("NotImplementedError");
  });

  it("splits chained exceptions and links them", () => {
    const text = `Traceback (most recent call last):
  File "a.py", line 1, in <module>
    import trio
ImportError: nope

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "b.py", line 2, in <module>
    x()
RuntimeError: second`;
    const tbs = parseTracebacks(splitLines(text));
    expect(tbs.map((t) => t.exception?.type)).toEqual(["ImportError", "RuntimeError"]);
    expect(tbs[1]?.chainedFrom).toBe(0);
  });

  it("keeps a traceback cut off mid-line", () => {
    const [tb] = parseTracebacks(
      splitLines(
        'Traceback (most recent call last):\n  File "/usr/lib/python3.11/site-packages/eventlet/patcher.py",',
      ),
    );
    expect(tb?.frames[0]?.pkg).toBe("eventlet");
    expect(tb?.exception).toBeNull();
  });

  it("reads Windows paths and Markdown-mangled __init__ paths", () => {
    expect(classifyPath("C:\\Python38\\lib\\site-packages\\tornado\\platform\\asyncio.py")).toEqual({
      pkg: "tornado",
      module: "tornado.platform.asyncio",
    });
    expect(classifyPath("/srv/env/lib/python3.11/site-packages/httpcore/init.py")).toEqual({
      pkg: "httpcore",
      module: "httpcore",
    });
    expect(classifyPath("/usr/lib/python3.6/ssl.py")).toEqual({ pkg: "stdlib", module: "ssl" });
    expect(classifyPath("<frozen importlib._bootstrap>")).toEqual({
      pkg: "frozen",
      module: "importlib._bootstrap",
    });
  });

  it("reads IPython-style frames", () => {
    const [tb] = parseTracebacks(
      splitLines(
        "File /usr/lib/python3.10/asyncio/runners.py:33, in run(main, debug)\n---> 33 raise RuntimeError(\nRuntimeError: x",
      ),
    );
    expect(tb?.frames[0]).toMatchObject({ module: "asyncio.runners", line: 33 });
  });

  it("recognises exception lines and rejects prose", () => {
    expect(parseExceptionLine("greenlet.error: cannot switch to a different thread")).toEqual({
      type: "greenlet.error",
      message: "cannot switch to a different thread",
    });
    expect(parseExceptionLine("gevent.exceptions.LoopExit: This operation would block forever")?.type).toBe(
      "gevent.exceptions.LoopExit",
    );
    expect(parseExceptionLine("Hello world: not an error")).toBeNull();
    expect(parseExceptionLine("raise NotImplementedError")).toBeNull();
  });
});

describe("bounded tracebacks", () => {
  it("keeps the first and last 100 frames of a deep traceback and counts the rest", () => {
    const frames = Array.from(
      { length: 1000 },
      (_, i) => `  File "/app/m${i}.py", line ${i + 1}, in f${i}\n    f${i + 1}()`,
    ).join("\n");
    const [tb] = parseTracebacks(
      `Traceback (most recent call last):\n${frames}\nRecursionError: maximum recursion depth exceeded`.split(
        "\n",
      ),
    );
    expect(tb?.frames).toHaveLength(MAX_FRAMES);
    expect(tb?.omitted).toBe(800);
    expect(tb?.frames[0]?.func).toBe("f0");
    expect(tb?.frames.at(-1)?.func).toBe("f999");
    expect(tb?.exception?.type).toBe("RecursionError");
  });

  it("reads at most 100 tracebacks of one text", () => {
    const one = 'Traceback (most recent call last):\n  File "/a/x.py", line 1, in <module>\nValueError: x\n';
    expect(parseTracebacks(one.repeat(500).split("\n"))).toHaveLength(MAX_TRACEBACKS);
  });
});

describe("bounded threads", () => {
  it("reads a long post at its start and end, and counts what it left", () => {
    const body = `start\n${"x".repeat(2 * POST_EDGE_CHARS)}\nend`;
    const t = threadOf("Title", body, []);
    expect(t.unread).toBe(body.length - 2 * POST_EDGE_CHARS);
    expect(t.text.startsWith("# Title\n\nstart")).toBe(true);
    expect(t.text.endsWith("\nend")).toBe(true);
    expect(t.text).toContain(`[${t.unread} characters not read]`);
  });

  it("reads the body and the newest comments up to 1 MiB, in thread order", () => {
    const comments = Array.from({ length: 250 }, (_, i) => `comment ${i}\n${'  File "'.repeat(8000)}`);
    const t = threadOf("T", "the body", comments);
    expect(t.text.length).toBeLessThanOrEqual(THREAD_CHARS);
    expect(t.text).toContain("the body");
    expect(t.text).toContain("comment 249");
    expect(t.text).not.toContain("comment 0\n");
    const left = comments.filter((c) => !t.text.includes(`${c.slice(0, c.indexOf("\n"))}\n`));
    expect(left.length).toBeGreaterThan(0);
    expect(t.unread).toBe(left.reduce((n, c) => n + c.length, 0));
    expect(t.text.indexOf("comment 248")).toBeLessThan(t.text.indexOf("comment 249"));
    expect(t.text).toMatch(/\[\d+ earlier comments \(\d+ characters\) not read\]/);
  });

  it("triage reads any text within its bound, and says in the evidence what it left", async () => {
    const engine = await createEngine();
    const tail =
      'Traceback (most recent call last):\n  File "/Users/me/v/lib/python3.12/site-packages/trio/_core/_run.py", line 2950, in <module>\n    raise NotImplementedError("unsupported platform")\nNotImplementedError: unsupported platform\n';
    const text = `gevent monkey.patch_all()\n${'  File "\n'.repeat(2 * 1024 * 1024)}${tail}`;
    const r = engine.triage(text);
    expect(r.evidence.unread).toBeGreaterThan(15 * 1024 * 1024);
    expect(r.findings.map((f) => f.rule)).toContain("trio-unsupported-platform");
    const comment = renderIssueComment(r.findings, r.evidence);
    expect(comment).toContain(`Not read: ${r.evidence.unread.toLocaleString("en")} characters`);
    const short = engine.triage(tail);
    expect(short.evidence.unread).toBe(0);
    expect(renderIssueComment(short.findings, short.evidence)).not.toContain("Not read");
  });
});

describe("context", () => {
  const ctx = (text: string) => {
    const t = readIssueText(text);
    return t.context;
  };
  it("reads versions from pins, prose, pip list and pip show", () => {
    const c = ctx(
      "trio==0.25.1\nlocust                   2.16.1\n* gevent version: 1.2.1\nName: httpx\nVersion: 0.25.0\nI use grpcio 1.51.1.",
    );
    expect(Object.fromEntries([...c.versions].map(([k, v]) => [k, v.version]))).toMatchObject({
      trio: "0.25.1",
      locust: "2.16.1",
      gevent: "1.2.1",
      httpx: "0.25.0",
      grpcio: "1.51.1",
    });
  });
  it("infers the trio version from the line of the raise", () => {
    expect(ctx(TB).versions.get("trio")).toMatchObject({ version: "0.27.0", source: "inferred" });
    // The lab saw 0.22.0 raise on line 2458 and 0.34.0 on 3131 (which 0.31 shares: both are said).
    for (const [line, version] of [
      [2458, "0.22.0"],
      [2548, "0.22.2"],
      [2963, "0.28.x"],
      [3131, "0.31.x/0.34.x"],
      [3140, "0.33.x"],
    ] as const)
      expect(ctx(TB.replace("line 2950", `line ${line}`)).versions.get("trio")?.version).toBe(version);
  });
  it("reads the platform from paths and words", () => {
    expect(ctx(TB).platform.platform).toBe("macos");
    expect(ctx("Running on my M1 mac").platform.platform).toBe("macos");
    expect(ctx("FreeBSD 14, python 3.11").platform.platform).toBe("freebsd");
    expect(ctx('File "C:\\app\\x.py", line 1').platform.platform).toBe("windows");
    // /home, /srv, /opt exist on every Unix: no platform from them; a distribution's Python is Linux.
    for (const dir of ["/home/u", "/srv/env3.11/lib", "/opt/app"])
      expect(
        ctx(`Traceback (most recent call last):\n  File "${dir}/app.py", line 1, in <module>\nX: y`).platform
          .platform,
      ).toBe("unknown");
    expect(
      ctx(
        'Traceback (most recent call last):\n  File "/usr/lib/python3.11/ssl.py", line 1, in <module>\nX: y',
      ).platform.platform,
    ).toBe("linux");
  });
  it("reads no version from a quoted warning or a Markdown quote", () => {
    const warning =
      "MonkeyPatchWarning: Monkey-patching ssl after ssl has already been imported may lead to errors, including RecursionError on Python 3.6.";
    expect(ctx(warning).python).toBeNull();
    expect(ctx("> try gevent==1.2.0 instead").versions.has("gevent")).toBe(false);
    expect(ctx("gevent==24.2.1").versions.get("gevent")?.version).toBe("24.2.1");
  });
  it("reads the Python version", () => {
    expect(ctx("Python 3.11.9 (main)").python).toBe("3.11");
    expect(ctx(TB).python).toBe("3.12");
  });
  it("names how the patch is applied", () => {
    expect(ctx("gunicorn -k gevent app:app").patchers[0]).toMatchObject({
      patcher: "gevent",
      via: "gunicorn",
    });
    expect(ctx("celery worker -P gevent").patchers[0]).toMatchObject({ patcher: "gevent", via: "celery" });
    expect(ctx("we call eventlet.monkey_patch() first").patchers[0]).toMatchObject({
      patcher: "eventlet",
      via: "direct",
    });
    expect(readContext([], [], []).patchers).toEqual([]);
    // eventlet's deprecation warning proves it was imported, not that anything patched.
    const warned = ctx(
      "/app/.venv/lib/python3.13/site-packages/gunicorn/workers/geventlet.py:23: EventletDeprecationWarning:\nEventlet is deprecated.",
    ).patchers;
    expect(warned).toContainEqual(
      expect.objectContaining({ patcher: "eventlet", via: "mentioned", strong: true }),
    );
    expect(warned.some((p) => p.via === "direct")).toBe(false);
  });
});

describe("prose and snippets", () => {
  it("splits prose into sentences outside code and collects Python snippets and REPL input", () => {
    const t = readIssueText(
      "We use gevent. It hangs!\n\n```python\nimport gevent\n```\n\n>>> import eventlet\n>>> eventlet.monkey_patch()\n",
    );
    expect(t.sentences.map((s) => s.raw)).toEqual(["We use gevent.", "It hangs!"]);
    expect(t.snippets.map((s) => s.source)).toEqual([
      "import gevent",
      "import eventlet\neventlet.monkey_patch()",
    ]);
  });
  it("ignores tracebacks and shell blocks as code", () => {
    const t = readIssueText(
      '```\nTraceback (most recent call last):\n  File "a.py", line 1\nimport gevent\n```\n```bash\nimport gevent\n```',
    );
    expect(t.snippets).toEqual([]);
  });
});

describe("traceback containers", () => {
  it("reads tracebacks inside <details>, indented blocks and several per text", async () => {
    const text = `<details><summary>Traceback</summary>

    Traceback (most recent call last):
      File "/home/u/v/lib/python3.11/site-packages/gevent/hub.py", line 1, in run
        self.loop.run()
    gevent.exceptions.LoopExit: This operation would block forever

</details>

and later, pasted raw:
Traceback (most recent call last):
  File "/home/u/v/lib/python3.11/site-packages/greenlet/x.py", line 2, in f
    g.switch()
greenlet.error: cannot switch to a different thread`;
    const tbs = parseTracebacks(splitLines(text));
    expect(tbs.map((t) => [t.frames[0]?.pkg, t.exception?.type])).toEqual([
      ["gevent", "gevent.exceptions.LoopExit"],
      ["greenlet", "greenlet.error"],
    ]);
  });
});
