import { describe, expect, it } from "vitest";
import { createEngine } from "../../src/diagnosis/engine.js";
import { renderIssueComment } from "../../src/report/issue-comment.js";
import { readCorpus } from "../helpers.js";

async function triage(text: string) {
  const engine = await createEngine();
  return engine.triage(text);
}
async function ids(text: string) {
  return (await triage(text)).findings.map((f) => f.rule);
}
async function comment(text: string) {
  const r = await triage(text);
  return renderIssueComment(r.findings, r.evidence);
}

const EPOLL_026 = `celery worker -P gevent crashes on Linux, trio 0.26.2
Traceback (most recent call last):
  File "/home/app/.venv/lib/python3.12/site-packages/trio/_core/_run.py", line 2376, in run
    runner = setup_runner(
  File "/home/app/.venv/lib/python3.12/site-packages/trio/_core/_io_epoll.py", line 224, in __init__
    self._epoll = select.epoll()
AttributeError: module 'select' has no attribute 'epoll'`;

describe("issue rules beyond the corpus", () => {
  it("recognises trio >= 0.28's own message", async () => {
    expect(
      await ids(
        "NotImplementedError: unsupported platform or primitives Trio depends on are monkey-patched out by gevent",
      ),
    ).toEqual(["trio-unsupported-platform"]);
  });

  it("recognises the trio >= 0.26 run-time epoll failure under celery's gevent pool", async () => {
    const r = await triage(EPOLL_026);
    expect(r.findings.map((f) => f.rule)).toEqual(["trio-epoll-missing"]);
    expect(r.findings[0]?.confidence).toBe("high");
    expect(r.evidence.context.patchers[0]?.via).toBe("celery");
  });

  it("stays silent on trio's unsupported platform without any patcher (Android before 0.33)", async () => {
    const text = `Termux on Android
  File "/data/data/com.termux/files/usr/lib/python3.11/site-packages/trio/_core/_run.py", line 2840, in <module>
    raise NotImplementedError("unsupported platform")
NotImplementedError: unsupported platform`;
    expect(await ids(text)).toEqual([]);
  });

  it("stays silent on a bare mention of two library names", async () => {
    expect(await ids("We use gevent and grpc in production. Both are great.")).toEqual([]);
    expect(await ids("Our stack: gunicorn with gevent workers, psycopg2, asyncio for scripts.")).toEqual([]);
  });

  it("accepts prose with a problem word as medium evidence", async () => {
    const r = await triage(
      "We run gunicorn with gevent workers and grpc, and the grpc client hangs under load.",
    );
    expect(r.findings.map((f) => [f.rule, f.confidence])).toEqual([["gevent-grpc", "medium"]]);
  });

  it("uses a code snippet to support gevent-asyncio-mix", async () => {
    const text =
      "My uvicorn app stopped answering.\n\n```python\nfrom gevent import monkey\nmonkey.patch_all()\nimport uvicorn\nfrom fastapi import FastAPI\napp = FastAPI()\nuvicorn.run(app)\n```";
    expect(await ids(text)).toEqual(["gevent-asyncio-mix"]);
  });

  it("does not blame PyMySQL, which works under gevent", async () => {
    expect(await ids("We switched to PyMySQL under gevent and requests no longer block each other.")).toEqual(
      [],
    );
  });

  it("does not say 'patch earlier' when the text shows eventlet patched first", async () => {
    expect(
      await ids(
        ">>> import eventlet\n>>> eventlet.monkey_patch()\n1 RLock(s) were not greened, to fix this error make sure you run eventlet.monkey_patch() before importing any other modules.",
      ),
    ).toEqual([]);
  });

  it("finds several problems in one thread", async () => {
    const text =
      "greenlet.error: cannot switch to a different thread\n\nlater:\ngevent.exceptions.LoopExit: This operation would block forever";
    expect(await ids(text)).toEqual(["gevent-loopexit", "greenlet-thread-switch"]);
  });
});

describe("explanations", () => {
  const corpus = Object.fromEntries(readCorpus().map((c) => [c.name.slice(0, 3), c.body]));

  it("tailors the founding case to macOS, its chain and trio version", async () => {
    const md = await comment(corpus["001"] ?? "");
    expect(md).toContain("On macOS trio picks kqueue");
    expect(md).toContain("`httpx` → `httpcore` → `trio`");
    expect(md).toContain("trio `0.25.1` (from a line number)");
    // Lab cases httpcore-1.0.9-macos and fix-uninstall-trio-macos: no httpcore upgrade fixes macOS.
    expect(md).toContain("pip uninstall trio");
    expect(md).toContain("Upgrading httpcore does not help");
    expect(md).not.toContain("httpcore>=1.0.6");
    expect(md).toContain("**Not a fix:** importing trio before");
  });

  it("on Linux epoll with old trio, says no httpcore upgrade helps", async () => {
    const md = await comment(corpus["012"] ?? "");
    expect(md).toContain("upgrade trio to ≥ 0.26");
    expect(md).toContain("upgrading httpcore does not help");
    expect(md).not.toContain('pip install -U "httpcore>=1.0.6"');
  });

  it("reads pip freeze: Linux with trio 0.22 gets no httpcore upgrade as the fix", async () => {
    const md = await comment(`Celery worker with -P gevent dies on startup (Ubuntu 22.04)
\`\`\`
Traceback (most recent call last):
  File "/srv/app/tasks.py", line 4, in <module>
    import httpx
  File "/srv/venv/lib/python3.10/site-packages/httpcore/_synchronization.py", line 11, in <module>
    import trio
  File "/srv/venv/lib/python3.10/site-packages/trio/_core/_io_epoll.py", line 189, in <module>
    class EpollIOManager:
AttributeError: module 'select' has no attribute 'epoll'
\`\`\`
\`\`\`
$ pip freeze
celery==5.3.6
gevent==23.9.1
httpcore==1.0.5
httpx==0.27.0
trio==0.22.2
\`\`\``);
    expect(md).toContain("trio `0.22.2`");
    expect(md).toContain("upgrading httpcore does not help");
    expect(md).not.toContain('pip install -U "httpcore>=1.0.6"');
  });

  it("reads pip freeze: a newer httpcore listed is not offered as the fix (no release fixes it)", async () => {
    const md = await comment(`import httpx fails under gevent on my Mac
\`\`\`
  File "/Users/me/venv/lib/python3.11/site-packages/httpcore/_synchronization.py", line 11, in <module>
    import trio
  File "/Users/me/venv/lib/python3.11/site-packages/trio/_core/_run.py", line 2822, in <module>
    raise NotImplementedError("unsupported platform")
NotImplementedError: unsupported platform
\`\`\`
pip freeze: gevent==24.2.1 httpcore==1.0.7 httpx==0.27.2 trio==0.25.0`);
    expect(md).not.toContain("already catches");
    expect(md).toContain("pip uninstall trio");
    expect(md).not.toContain("httpcore>=1.0.6");
  });

  it("offers LOCUST_SKIP_MONKEY_PATCH when locust is what patched", async () => {
    const md = await comment(`pytest fails collecting my locustfile on macOS
\`\`\`
  File "/Users/me/p/tests/test_load.py", line 1, in <module>
    from locustfile import WebUser
  File "/Users/me/p/locustfile.py", line 1, in <module>
    from locust import HttpUser
  File "/Users/me/venv/lib/python3.12/site-packages/locust/__init__.py", line 16, in <module>
    monkey.patch_all()
  File "/Users/me/venv/lib/python3.12/site-packages/httpcore/__init__.py", line 64, in <module>
    from ._backends.trio import TrioBackend
  File "/Users/me/venv/lib/python3.12/site-packages/trio/_core/_run.py", line 3131, in <module>
    raise NotImplementedError("unsupported platform or primitives Trio depends on are monkey-patched out by gevent")
NotImplementedError: unsupported platform or primitives Trio depends on are monkey-patched out by gevent
\`\`\``);
    expect(md).toContain("LOCUST_SKIP_MONKEY_PATCH=1");
    expect(md).toContain("trio `0.31.x/0.34.x`");
    expect(await comment(corpus["001"] ?? "")).not.toContain("LOCUST_SKIP_MONKEY_PATCH");
  });

  it("gives the eventlet DNS workaround when greendns pulls trio in", async () => {
    const md = await comment(corpus["007"] ?? "");
    expect(md).toContain("EVENTLET_NO_GREENDNS=yes");
    expect(md).toContain("FreeBSD");
  });

  it("never recommends httpcore for the GreenSocket failure", async () => {
    const md = await comment(corpus["019"] ?? "");
    expect(md).not.toContain('"httpcore>=1.0.6"');
    expect(md).toContain("pip uninstall trio");
  });

  it("says upgrade grpcio rather than init_gevent when init_gevent is already called", async () => {
    const md = await comment(corpus["035"] ?? "");
    expect(md).toContain("You already call `init_gevent()`");
    expect(md).toContain("grpcio>=1.51.1");
  });

  it("tells gunicorn --preload users to drop it", async () => {
    const md = await comment(corpus["023"] ?? "");
    expect(md).toContain("you run with `--preload`");
  });

  it("every trio comment where the reporter patches carries the import-order caveat", async () => {
    for (const id of ["001", "003", "011", "012", "014", "019"]) {
      expect(await comment(corpus[id] ?? "")).toContain("only avoids the import crash");
    }
  });

  it("no patch-order advice when eventlet's import alone pulled trio in; its workarounds lead", async () => {
    for (const id of ["007", "009"]) {
      const text = await comment(corpus[id] ?? "");
      expect(text).not.toContain("only avoids the import crash");
      expect(text).not.toContain("monkey.patch_all()");
      expect(text.indexOf("EVENTLET_NO_GREENDNS")).toBeLessThan(text.indexOf("pip uninstall trio"));
    }
  });
});

describe("generalisation guards", () => {
  it("a pip-freeze line naming gevent is not evidence of patching", async () => {
    const text =
      '```\nTraceback (most recent call last):\n  File "nb.py", line 3, in <module>\n    loop.run_until_complete(main())\nRuntimeError: This event loop is already running\n```\n\npip freeze:\n```\ngevent==24.2.1\nnumpy==1.26.0\n```';
    expect(await ids(text)).toEqual([]);
  });

  it("an epoll failure whose traceback shows another library is not blamed on trio, even if httpx is installed", async () => {
    const text = `gunicorn -k gevent app:app, httpx 0.27 installed
Traceback (most recent call last):
  File "/srv/venv/lib/python3.11/site-packages/inotify/adapters.py", line 44, in __init__
    self.__epoll = select.epoll()
AttributeError: module 'select' has no attribute 'epoll'`;
    expect(await ids(text)).toEqual(["select-primitive-removed"]);
  });

  it("greenlet 3's capitalised message is recognised", async () => {
    expect(
      await ids(
        "greenlet.error: Cannot switch to a different thread\n\tCurrent:  <greenlet.greenlet object at 0x1>",
      ),
    ).toEqual(["greenlet-thread-switch"]);
  });
});

describe("patching must be shown for generic errors", () => {
  it("asyncio's 'already running' with gevent only in a package list stays silent", async () => {
    expect(
      await ids(
        "RuntimeError: This event loop is already running\nI am running this in Jupyter. Packages: numpy, pandas, gevent 23.9.1",
      ),
    ).toEqual([]);
  });
  it("a grpc hang in a report that runs gunicorn's gevent worker is a medium gevent-grpc", async () => {
    const r = await triage(
      "Our Flask app runs under gunicorn with gevent workers. Calls to the grpc stub hang forever after the first request.",
    );
    expect(r.findings.map((f) => [f.rule, f.confidence])).toEqual([["gevent-grpc", "medium"]]);
  });
});

describe("the thread's context", () => {
  const REPORT = `MySQL queries block every other request. We run gunicorn's gevent worker with mysqlclient; while one greenlet waits on a slow query the whole app freezes.`;
  it("never recommends the package the issue is filed against, nor one the reporter uses", async () => {
    const engine = await createEngine();
    const fixes = (repo?: string, text = REPORT) =>
      engine.triage(text, {}, { repo }).findings[0]?.explanation.fixes.map((f) => f.id) ?? [];
    expect(fixes("acme/app")).toContain("mysql-cext-under-gevent/pymysql");
    expect(fixes("PyMySQL/PyMySQL")).not.toContain("mysql-cext-under-gevent/pymysql");
    expect(fixes("acme/app", `${REPORT} Our other services already use PyMySQL.`)).not.toContain(
      "mysql-cext-under-gevent/pymysql",
    );
  });
  it("takes no evidence from maintainers' posts and repeats no diagnosis they gave", async () => {
    const engine = await createEngine();
    const thread = `# Warning at startup\n\nreporter · description · 2024-01-01\nOur app prints a warning at startup.\n\nowner · comment · 2024-01-02\nThat is gevent's "MonkeyPatchWarning: Monkey-patching ssl after ssl has already been imported": patch first.`;
    expect(engine.triage(thread).findings).not.toEqual([]);
    expect(engine.triage(thread, {}, { repo: "owner/app" }).findings).toEqual([]);
    expect(engine.triage(thread, {}, { repo: "acme/app", maintainers: ["owner"] }).findings).toEqual([]);
    const answered = engine.triage(
      `MonkeyPatchWarning: Monkey-patching ssl after ssl has already been imported may lead to errors`,
      {},
      { maintainerTexts: ["You need to monkey-patch before importing requests."] },
    );
    expect(answered.findings).toEqual([]);
    expect(answered.answered).toEqual(["gevent-patch-late-ssl"]);
  });
  it("tells both platform stories when the platform is unknown, the macOS one when it is known", async () => {
    const tb = `gunicorn -k gevent\n  File "/srv/app/lib/python3.11/site-packages/httpcore/_synchronization.py", line 11, in <module>\n    import trio\nNotImplementedError: unsupported platform`;
    const unknown = await comment(tb);
    expect(unknown).toContain("On macOS and the BSDs");
    expect(unknown).toContain("On Linux only trio 0.16 and older fail this way");
    expect(unknown).not.toContain("- Platform:");
    const mac = await comment(`${tb}\nOn my MacBook (macOS 14).`);
    expect(mac).toContain("On macOS trio picks kqueue");
  });
  it("says nothing of 'no error' when the thread shows one", async () => {
    const withError = await comment(
      `We run gunicorn's gevent worker with mysqlclient and the whole app freezes while one greenlet waits on a query.\n\nOperationalError: (2013, 'Lost connection to MySQL server during query')`,
    );
    expect(withError).not.toContain("no error");
    expect(await comment(REPORT)).toContain("no error");
  });
});
