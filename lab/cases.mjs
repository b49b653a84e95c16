// The mechanism lab's cases: each is a claim the rules make, the program that checks it (lab/cases/),
// the environment it runs in, and what must be observed. `npm run lab` runs them all.

/**
 * Environments. `debian`: Debian's python3-* packages under Debian's Python. A venv env is made from
 * that Python: `system: true` sees every Debian package, a list exposes only those modules;
 * `wheels` are installed from the machine's pip (its configured indexes) over them.
 */
export const ENVS = {
  debian: { describe: "Debian 12 packages" },
  wheels: {
    describe: "current wheels over Debian's gevent and eventlet",
    system: true,
    wheels: [
      "trio==0.34.0",
      "httpcore==1.0.9",
      "httpx==0.28.1",
      "httpcore2==2.13.1",
      "httpx2==2.13.1",
      "h2",
      "dnspython==2.8.0",
      "pyee==13.0.1",
      "psycopg[binary]==3.3.6",
      "mysql-connector-python==26.7.0",
    ],
  },
  notrio: {
    describe: "httpx and httpcore without trio (as after `pip uninstall trio`), Debian's gevent",
    system: ["gevent", "greenlet", "zope", "pkg_resources"],
    wheels: ["httpcore==1.0.9", "httpx==0.28.1"],
  },
  noh2: {
    describe: "Debian's eventlet with dnspython 2.8, httpx, httpcore and trio, but no h2",
    system: ["eventlet", "greenlet", "six"],
    wheels: ["trio==0.34.0", "httpcore==1.0.9", "httpx==0.28.1", "dnspython==2.8.0"],
  },
  dns23: {
    describe: "the `wheels` set with Debian's dnspython 2.3.0 instead of 2.8",
    system: true,
    wheels: ["trio==0.34.0", "httpcore==1.0.9", "httpx==0.28.1", "h2"],
  },
  gunicorn26: {
    describe: "gunicorn 26 (with its gevent extra's `packaging`) over Debian's gevent and eventlet",
    system: true,
    wheels: ["gunicorn==26.2.0", "packaging"],
  },
};

const EPOLL = "module 'select' has no attribute 'epoll'";

/** Where the loop itself runs code: a timer, a signal handler while it waits, a finalizer in a collection. */
const LOOP_RUNNERS = {
  timer: "a callback the hub runs (a timer)",
  signal: "a signal handler that runs while the hub waits for I/O (as a worker's shutdown handler does)",
  finalizer:
    "a `__del__` run by a garbage collection inside the hub (as when a pooled DB connection is collected)",
};
const LOOP_ERRORS = {
  eventlet: {
    raised: "AssertionError",
    message: "do not call blocking functions from the mainloop",
    note: " (eventlet ≤ 0.35 asserts; 0.36 and later raise `RuntimeError` with the same text)",
  },
  gevent: {
    raised: "BlockingSwitchOutError",
    message: "Impossible to call blocking function in the event loop callback",
    note: "",
  },
};
/** A green blocking call in each place the loop runs code, under each patcher; and spawning the work as the fix. */
const LOOP_CASES = [
  ...Object.entries(LOOP_ERRORS).flatMap(([patcher, e]) =>
    Object.entries(LOOP_RUNNERS).map(([where, what]) => ({
      id: `${patcher}-blocking-in-loop-${where}`,
      claim: `${patcher}: a green blocking call (here \`sleep(0.05)\`) in ${what} fails with \`${e.raised}: ${e.message}\`${e.note}.`,
      env: "debian",
      program: "loop_callback.py",
      args: [patcher, where],
      expect: {
        [`sleep in a ${where} the loop runs`]: {
          diagnose: "blocking-call-in-loop",
          raised: e.raised,
          message: e.message,
        },
      },
    })),
  ),
  ...[
    ["eventlet", "signal"],
    ["gevent", "finalizer"],
    ["eventlet", "finalizer"],
    ["gevent", "signal"],
  ].map(([patcher, where]) => ({
    id: `fix-${patcher}-spawn-from-${where}`,
    claim: `The same ${where} handing the blocking work to a new greenlet (\`${patcher}.spawn(...)\`) works: the work runs and finishes.`,
    env: "debian",
    program: "loop_callback.py",
    args: [patcher, where, "spawn"],
    expect: { [`sleep in a ${where} the loop runs`]: { raised: null, value: "slept" } },
  })),
];

/** Step expectations: `raised` (an exception type, or null: it worked), `message` (a substring), `frame` (a frame's file starts with it), `seconds` ([min, max]), `value`,
 * `output` (a substring of what a program the case ran printed);
 * `diagnose`: the rule that must recognise the failure as the library printed it (test/lab/diagnosed.test.ts),
 * with `says`: what the report says besides the traceback (when the traceback alone cannot show the cause). */
export const CASES = [
  {
    id: "trio-gevent-linux-trio-0.22",
    claim:
      "Linux, trio 0.17 – 0.25: under gevent's `patch_all()`, `import trio` fails with the epoll AttributeError, raised in `trio/_core/_io_epoll.py`.",
    env: "debian",
    program: "trio_under_patcher.py",
    args: ["gevent"],
    expect: {
      "import trio": {
        diagnose: "trio-epoll-missing",
        raised: "AttributeError",
        message: EPOLL,
        frame: "trio/_core/_io_epoll.py",
      },
    },
  },
  {
    id: "trio-gevent-linux-trio-0.34",
    claim:
      "Linux, trio ≥ 0.26: under gevent `import trio` works and the epoll AttributeError moves to `trio.run()`.",
    env: "wheels",
    program: "trio_under_patcher.py",
    args: ["gevent"],
    expect: {
      "import trio": { raised: null },
      "trio.run()": { diagnose: "trio-epoll-missing", raised: "AttributeError", message: EPOLL },
    },
  },
  {
    id: "trio-eventlet-linux-trio-0.34",
    claim:
      "Linux, trio ≥ 0.26: under eventlet's `monkey_patch()`, `import trio` fails in `trio/_socket.py`: `type object 'GreenSocket' has no attribute 'sendmsg'` (run with greendns off, so that dnspython does not import trio first: see the next cases).",
    env: "wheels",
    program: "trio_under_patcher.py",
    args: ["eventlet"],
    envVars: { EVENTLET_NO_GREENDNS: "yes" },
    expect: {
      "import trio": {
        diagnose: "trio-eventlet-greensocket",
        raised: "AttributeError",
        message: "type object 'GreenSocket' has no attribute 'sendmsg'",
        frame: "trio/_socket.py",
      },
    },
  },
  {
    id: "trio-eventlet-linux-trio-0.22",
    claim:
      "Linux, trio 0.17 – 0.25: under eventlet's `monkey_patch()`, `import trio` fails with the epoll AttributeError.",
    env: "debian",
    program: "trio_under_patcher.py",
    args: ["eventlet"],
    expect: { "import trio": { diagnose: "trio-epoll-missing", raised: "AttributeError", message: EPOLL } },
  },
  {
    id: "eventlet-greendns-imports-trio",
    claim:
      "A bare `import eventlet` (no `monkey_patch()`), with dnspython ≥ 2.4, httpx, httpcore, h2 and trio installed: greendns imports dnspython with eventlet's green socket in place, dnspython imports httpcore, httpcore imports trio, and on Linux with trio ≥ 0.26 that fails on `GreenSocket.sendmsg`.",
    env: "wheels",
    program: "eventlet_greendns.py",
    args: [],
    expect: {
      "import eventlet": {
        diagnose: "trio-eventlet-greensocket",
        raised: "AttributeError",
        message: "type object 'GreenSocket' has no attribute 'sendmsg'",
        frame: "dns/",
      },
    },
  },
  {
    id: "fix-eventlet-no-greendns-yes",
    claim:
      "Fix: `EVENTLET_NO_GREENDNS=yes` keeps greendns (and so dnspython, httpx and trio) out of `import eventlet`.",
    env: "wheels",
    program: "eventlet_greendns.py",
    args: [],
    envVars: { EVENTLET_NO_GREENDNS: "yes" },
    expect: { "import eventlet": { raised: null }, "trio loaded by it": { raised: null, value: false } },
  },
  {
    id: "eventlet-no-greendns-1-does-nothing",
    claim: "`EVENTLET_NO_GREENDNS=1` is not `yes`: greendns still loads and the import still fails.",
    env: "wheels",
    program: "eventlet_greendns.py",
    args: [],
    envVars: { EVENTLET_NO_GREENDNS: "1" },
    expect: {
      "import eventlet": {
        diagnose: "trio-eventlet-greensocket",
        raised: "AttributeError",
        message: "GreenSocket",
      },
    },
  },
  {
    id: "dnspython-without-h2",
    claim:
      "dnspython imports httpx only when its DNS-over-HTTPS requirements are all installed: without h2, the same bare `import eventlet` works and does not load trio.",
    env: "noh2",
    program: "eventlet_greendns.py",
    args: [],
    expect: { "import eventlet": { raised: null }, "trio loaded by it": { raised: null, value: false } },
  },
  {
    id: "fix-dnspython-2.3",
    claim:
      "Fix: with dnspython 2.3.0 (which never imports httpx), the same `import eventlet` works and does not load trio.",
    env: "dns23",
    program: "eventlet_greendns.py",
    args: [],
    expect: { "import eventlet": { raised: null }, "trio loaded by it": { raised: null, value: false } },
  },
  {
    id: "trio-bare-eventlet-import",
    claim: "A bare `import eventlet` (no `monkey_patch()`) leaves trio importable and runnable.",
    env: "debian",
    program: "trio_under_patcher.py",
    args: ["eventlet-import"],
    expect: { "import trio": { raised: null }, "trio.run()": { raised: null } },
  },
  {
    id: "trio-gevent-macos-trio-0.22",
    claim:
      "macOS (simulated), trio ≤ 0.27: under gevent, `import trio` raises `NotImplementedError: unsupported platform` in `trio/_core/_run.py`.",
    env: "debian",
    program: "trio_under_patcher.py",
    args: ["gevent", "macos"],
    expect: {
      "import trio": {
        diagnose: "trio-unsupported-platform",
        raised: "NotImplementedError",
        message: "unsupported platform",
        frame: "trio/_core/_run.py",
      },
    },
  },
  {
    id: "trio-gevent-macos-trio-0.34",
    claim:
      "macOS (simulated), trio ≥ 0.31: the message names the patcher: `unsupported platform or primitives Trio depends on are monkey-patched out by gevent`.",
    env: "wheels",
    program: "trio_under_patcher.py",
    args: ["gevent", "macos"],
    expect: {
      "import trio": {
        diagnose: "trio-unsupported-platform",
        raised: "NotImplementedError",
        message: "unsupported platform or primitives Trio depends on are monkey-patched out by gevent",
        frame: "trio/_core/_run.py",
      },
    },
  },
  {
    id: "httpcore-1.0.9-macos",
    claim:
      "macOS (simulated): under gevent every httpcore through 1.0.9 raises NotImplementedError on `import httpcore` when trio is installed: `httpcore/__init__.py` imports its trio backend, which imports trio, catching only ImportError. Upgrading httpcore does not fix it.",
    env: "wheels",
    program: "http_chain.py",
    args: ["httpcore", "macos"],
    expect: {
      "import httpcore": {
        diagnose: "trio-unsupported-platform",
        raised: "NotImplementedError",
        message: "unsupported platform",
        frame: "httpcore/_backends/trio.py",
      },
    },
  },
  {
    id: "httpx-0.28-lazy-macos",
    claim:
      "macOS (simulated): httpx ≥ 0.28 imports httpcore lazily: `import httpx` works under gevent, and the crash comes at `httpx.Client()`.",
    env: "wheels",
    program: "http_chain.py",
    args: ["httpx", "macos"],
    expect: {
      "import httpx": { raised: null },
      "httpx.Client()": {
        diagnose: "trio-unsupported-platform",
        raised: "NotImplementedError",
        message: "unsupported platform",
        frame: "httpx/",
      },
    },
  },
  {
    id: "httpx2-macos",
    claim:
      "macOS (simulated): httpx2 / httpcore2 carry the same import of trio: `httpx2.Client()` fails under gevent.",
    env: "wheels",
    program: "http_chain.py",
    args: ["httpx2", "macos"],
    expect: {
      "httpx2.Client()": {
        diagnose: "trio-unsupported-platform",
        raised: "NotImplementedError",
        message: "unsupported platform",
      },
    },
  },
  {
    id: "fix-uninstall-trio-macos",
    claim:
      "Fix (macOS, simulated): with trio uninstalled, httpx under gevent works: `httpx.Client()` succeeds.",
    env: "notrio",
    program: "http_chain.py",
    args: ["httpx", "macos"],
    expect: { "import httpx": { raised: null }, "httpx.Client()": { raised: null } },
  },
  {
    id: "fix-import-httpcore-first-macos",
    claim:
      "Fix (macOS, simulated): importing httpcore before `monkey.patch_all()` avoids the crash (trio is imported while the platform's primitives are still there); `import httpx` first would not, httpx being lazy.",
    env: "wheels",
    program: "http_chain.py",
    args: ["httpx", "macos", "before"],
    expect: {
      "import httpcore (before the patch)": { raised: null },
      "httpx.Client()": { raised: null },
    },
  },
  {
    id: "ssl-patched-late",
    claim:
      "`monkey.patch_all()` after `import requests` (urllib3 binds `ssl.SSLContext`) warns `MonkeyPatchWarning: Monkey-patching ssl after ssl has already been imported may lead to errors`, and the next SSL context urllib3 makes recurses without end (`RecursionError`) in `ssl.py`.",
    env: "debian",
    program: "ssl_late.py",
    args: ["late"],
    expect: {
      "urllib3 makes an SSL context": {
        diagnose: "gevent-patch-late-ssl",
        raised: "RecursionError",
        message: "maximum recursion depth exceeded",
      },
    },
    expectWarning: "Monkey-patching ssl after ssl has already been imported may lead to errors",
  },
  {
    id: "fix-ssl-patch-first",
    claim:
      "Fix: with `monkey.patch_all()` before `import requests`, there is no warning and urllib3 makes its context.",
    env: "debian",
    program: "ssl_late.py",
    args: ["first"],
    expect: { "urllib3 makes an SSL context": { raised: null } },
    expectNoWarning: true,
  },
  {
    id: "psycopg2-blocks-gevent",
    claim: "psycopg2 under gevent blocks the process: two greenlets' one-second queries take two seconds.",
    env: "debian",
    program: "db_two_greenlets.py",
    args: ["psycopg2"],
    needs: "postgres",
    expect: { "two queries at once": { raised: null, seconds: [1.8, 4] } },
  },
  {
    id: "fix-psycogreen",
    claim:
      "Fix: `psycogreen.gevent.patch_psycopg()` after the patch makes psycopg2 cooperate: two queries take one second.",
    env: "debian",
    program: "db_two_greenlets.py",
    args: ["psycopg2", "psycogreen"],
    needs: "postgres",
    expect: { "two queries at once": { raised: null, seconds: [0.9, 1.75] } },
  },
  // The same drivers under eventlet (a gunicorn eventlet worker, `-P eventlet`). eventlet's own
  // `monkey_patch()` makes psycopg2 green (eventlet/support/psycopg2_patcher.py); MySQLdb it
  // leaves alone unless asked (`MySQLdb=True`).
  {
    id: "psycopg2-cooperates-eventlet",
    claim:
      "psycopg2 under `eventlet.monkey_patch()` cooperates without psycogreen (eventlet installs a green wait callback itself): two queries take one second.",
    env: "debian",
    program: "db_two_greenlets.py",
    args: ["psycopg2", "eventlet"],
    needs: "postgres",
    expect: { "two queries at once": { raised: null, seconds: [0.9, 1.75] } },
  },
  {
    id: "mysqldb-blocks-eventlet",
    claim:
      "mysqlclient (MySQLdb) under eventlet blocks the process: two green threads' `SELECT SLEEP(1)` take two seconds.",
    env: "debian",
    program: "db_two_greenlets.py",
    args: ["MySQLdb", "eventlet"],
    needs: "mysql",
    expect: { "two queries at once": { raised: null, seconds: [1.8, 4] } },
  },
  {
    id: "fix-pymysql-eventlet",
    claim: "Fix: PyMySQL (pure Python) cooperates with eventlet: two queries take one second.",
    env: "debian",
    program: "db_two_greenlets.py",
    args: ["pymysql", "eventlet"],
    needs: "mysql",
    expect: { "two queries at once": { raised: null, seconds: [0.9, 1.75] } },
  },
  // Two green libraries in one worker: gunicorn's eventlet worker patches with eventlet, then
  // the app (or a library it imports) patches with gevent as well.
  {
    id: "eventlet-then-gevent-blocks",
    claim:
      "After `eventlet.monkey_patch()` (gunicorn's eventlet worker), a gevent `monkey.patch_all()` in the app warns `Monkey-patching outside the main native thread` and leaves `time.sleep` and sockets to gevent: eventlet's green threads stop taking turns (two 0.5 s sleeps take 1 s).",
    env: "debian",
    program: "two_patchers.py",
    args: ["both"],
    expect: { "two green threads sleep 0.5 s": { raised: null, seconds: [0.9, 1.6] } },
    expectWarning: "Monkey-patching outside the main native thread",
  },
  {
    id: "eventlet-alone-cooperates",
    claim: "With eventlet's patch alone, the same two green threads take turns: two 0.5 s sleeps take 0.5 s.",
    env: "debian",
    program: "two_patchers.py",
    args: ["eventlet"],
    expect: { "two green threads sleep 0.5 s": { raised: null, seconds: [0.45, 0.8] } },
    expectNoWarning: true,
  },
  {
    id: "psycopg3-cooperates",
    claim: "psycopg 3 (≥ 3.1.14) cooperates with gevent by itself: two queries take one second.",
    env: "wheels",
    program: "db_two_greenlets.py",
    args: ["psycopg"],
    needs: "postgres",
    expect: { "two queries at once": { raised: null, seconds: [0.9, 1.75] } },
  },
  {
    id: "mysqldb-blocks-gevent",
    claim:
      "mysqlclient (MySQLdb) under gevent blocks the process: two greenlets' `SELECT SLEEP(1)` take two seconds.",
    env: "debian",
    program: "db_two_greenlets.py",
    args: ["MySQLdb"],
    needs: "mysql",
    expect: { "two queries at once": { raised: null, seconds: [1.8, 4] } },
  },
  {
    id: "fix-pymysql",
    claim: "Fix: PyMySQL (pure Python) cooperates with gevent: two queries take one second.",
    env: "debian",
    program: "db_two_greenlets.py",
    args: ["pymysql"],
    needs: "mysql",
    expect: { "two queries at once": { raised: null, seconds: [0.9, 1.75] } },
  },
  {
    id: "fix-mysql-connector-use-pure",
    claim:
      "Fix: mysql-connector-python with `use_pure=True` cooperates with gevent: two queries take one second.",
    env: "wheels",
    program: "db_two_greenlets.py",
    args: ["mysql-connector-pure"],
    needs: "mysql",
    expect: {
      "connection class": { raised: null, value: "MySQLConnection" },
      "two queries at once": { raised: null, seconds: [0.9, 1.75] },
    },
  },
  {
    id: "trio-nested-run",
    claim:
      "`trio.run()` inside `trio.run()` raises `RuntimeError: Attempted to call run() from inside a run()`.",
    env: "wheels",
    program: "small_errors.py",
    args: ["nested-run"],
    expect: {
      "trio.run() inside trio.run()": {
        diagnose: "trio-nested-run",
        raised: "RuntimeError",
        message: "Attempted to call run() from inside a run()",
      },
    },
  },
  {
    id: "gevent-loopexit",
    claim: "A gevent wait that nothing can wake raises `LoopExit: This operation would block forever`.",
    env: "debian",
    program: "small_errors.py",
    args: ["loopexit"],
    expect: {
      "Queue().get() with no producer": {
        diagnose: "gevent-loopexit",
        raised: "LoopExit",
        message: "This operation would block forever",
      },
    },
  },
  {
    id: "greenlet-thread-switch",
    claim:
      "A greenlet made in one thread and switched to from another raises `greenlet.error: cannot switch to a different thread`.",
    env: "debian",
    program: "small_errors.py",
    args: ["thread-switch"],
    expect: {
      "switch to another thread's greenlet": {
        diagnose: "greenlet-thread-switch",
        raised: "error",
        message: "cannot switch to a different thread",
      },
    },
  },
  {
    id: "select-primitive-removed",
    claim:
      "A library that checked for `select.epoll` when imported, before `patch_all()`, fails after it with the epoll AttributeError: no trio involved.",
    env: "debian",
    program: "small_errors.py",
    args: ["epoll-cached"],
    expect: {
      "the library polls after the patch": {
        diagnose: "select-primitive-removed",
        says: "The program calls `gevent.monkey.patch_all()` after importing the library.",
        raised: "AttributeError",
        message: EPOLL,
      },
    },
  },
  {
    id: "gunicorn-26-no-eventlet-worker",
    claim:
      "gunicorn 26 removed its eventlet worker: `-k eventlet` stops at start with `class uri 'eventlet' invalid or not found` (the entry point is not found), though eventlet is installed.",
    env: "gunicorn26",
    program: "gunicorn_worker.py",
    args: ["eventlet"],
    expect: {
      "gunicorn -k eventlet": {
        diagnose: "gunicorn-worker-unavailable",
        raised: "RuntimeError",
        message: "class uri 'eventlet' invalid or not found",
      },
    },
  },
  {
    id: "gunicorn-26-gevent-needs-24.10",
    claim:
      "gunicorn 26's gevent worker refuses gevent older than 24.10.1 (`gevent worker requires gevent 24.10.1 or higher`): moving from `-k eventlet` to `-k gevent` needs a current gevent.",
    env: "gunicorn26",
    program: "gunicorn_worker.py",
    args: ["gevent"],
    expect: {
      "gunicorn -k gevent": {
        diagnose: "gunicorn-worker-unavailable",
        raised: "RuntimeError",
        message: "class uri 'gevent' invalid or not found",
        output: "RuntimeError: gevent worker requires gevent 24.10.1 or higher",
      },
    },
  },
  {
    id: "fix-gunicorn-gthread-worker",
    claim: "The same app under gunicorn 26 with `-k gthread` starts and answers.",
    env: "gunicorn26",
    program: "gunicorn_worker.py",
    args: ["gthread"],
    expect: { "gunicorn -k gthread": { raised: null, value: "hello" } },
  },
  ...LOOP_CASES,
  {
    id: "fix-trio-fresh-thread",
    claim:
      "Fix: synchronous code that calls `trio.run()` runs from inside a trio loop through `trio.to_thread.run_sync`, and an async function is simply awaited.",
    env: "wheels",
    program: "fixes_small.py",
    args: ["trio-fresh-thread"],
    expect: { "trio.run() in a fresh thread": { raised: null }, "await directly": { raised: null } },
  },
  {
    id: "fix-loopexit-producer",
    claim:
      "Fix: with the producer greenlet started, the same queue read returns instead of raising LoopExit.",
    env: "debian",
    program: "fixes_small.py",
    args: ["loopexit-producer"],
    expect: { "Queue().get() with its producer started": { raised: null, value: "item" } },
  },
  {
    id: "fix-patch-before-library",
    claim:
      "Fix: patching before the library is imported makes it see no epoll and use what the patched `select` offers.",
    env: "debian",
    program: "fixes_small.py",
    args: ["patch-first"],
    expect: { "the library polls": { raised: null } },
  },
  {
    id: "fix-patch-all-select-false",
    claim:
      "Fix: `monkey.patch_all(select=False)` leaves `select.epoll` in place for a library that checked for it first.",
    env: "debian",
    program: "fixes_small.py",
    args: ["select-false"],
    expect: { "the library polls": { raised: null } },
  },
  {
    id: "fix-gevent-threadpool-mysqldb",
    claim:
      "Fix: MySQLdb queries run through gevent's threadpool (`gevent.get_hub().threadpool`) no longer block each other: two take one second.",
    env: "debian",
    program: "fixes_small.py",
    args: ["threadpool-mysqldb"],
    needs: "mysql",
    expect: { "two queries at once": { raised: null, seconds: [0.9, 1.75] } },
  },
  {
    id: "import-trio-first-trio-0.22",
    claim:
      "Not a fix: with trio imported before `monkey.patch_all()`, trio 0.22's `trio.run()` still fails in the patched process (`TrioInternalError`).",
    env: "debian",
    program: "import_first.py",
    args: [],
    expect: { "trio.run() after the patch": { raised: "TrioInternalError" } },
  },
  {
    id: "import-trio-first-trio-0.34",
    claim:
      "Not a fix: with trio imported before `monkey.patch_all()`, trio 0.34's `trio.run()` still fails on Linux with the epoll AttributeError.",
    env: "wheels",
    program: "import_first.py",
    args: [],
    expect: {
      "trio.run() after the patch": {
        diagnose: "trio-epoll-missing",
        raised: "AttributeError",
        message: EPOLL,
      },
    },
  },
  {
    id: "mysql-connector-cext-blocks-gevent",
    claim:
      "mysql-connector-python's C extension (its default, `use_pure=False`) under gevent blocks the process: two greenlets' `SELECT SLEEP(1)` take two seconds. The founding report's driver.",
    env: "wheels",
    program: "db_two_greenlets.py",
    args: ["mysql-connector-c"],
    needs: "mysql",
    expect: {
      "connection class": { raised: null, value: "CMySQLConnection" },
      "two queries at once": { raised: null, seconds: [1.8, 4] },
    },
  },
  {
    id: "grpc-blocks-gevent",
    claim:
      "grpc under gevent without `init_gevent()` blocks the process: two greenlets' one-second calls (to a server in another process) take two seconds.",
    env: "debian",
    program: "grpc_under_gevent.py",
    args: [],
    expect: { "two calls at once": { raised: null, seconds: [1.8, 4] } },
  },
  {
    id: "fix-grpc-init-gevent",
    claim:
      "Fix: `grpc.experimental.gevent.init_gevent()` after the patch and before the channel is made: the same two calls take one second.",
    env: "debian",
    program: "grpc_under_gevent.py",
    args: ["init"],
    expect: { "two calls at once": { raised: null, seconds: [0.9, 1.75] } },
  },
];
