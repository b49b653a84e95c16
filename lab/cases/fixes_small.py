"""Fixes the rules offer, each run: `python fixes_small.py NAME`.

trio-fresh-thread: synchronous code that calls `trio.run()`, run from inside `trio.run()` through
`trio.to_thread.run_sync`, and an async function awaited directly. loopexit-producer: the same
queue read as the LoopExit case, with its producer greenlet started. patch-first /
select-false: the epoll-checking library imported after the patch, or before a patch that
leaves `select` alone. threadpool-mysqldb: two one-second MySQLdb queries through gevent's
threadpool.
"""
import os
import sys
import time

from harness import outcome, report, versions

name = sys.argv[1]
steps = {}
if name == "trio-fresh-thread":
    import trio

    def sync_entry():
        return trio.run(trio.sleep, 0) or "ran"

    async def via_thread():
        return await trio.to_thread.run_sync(sync_entry)

    async def inner():
        await trio.sleep(0)
        return "awaited"

    async def directly():
        return await inner()

    steps["trio.run() in a fresh thread"] = outcome(lambda: trio.run(via_thread))
    steps["await directly"] = outcome(lambda: trio.run(directly))
    dists = ["trio"]
elif name == "loopexit-producer":
    import gevent
    import gevent.queue

    q = gevent.queue.Queue()
    gevent.spawn(q.put, "item")
    steps["Queue().get() with its producer started"] = outcome(lambda: q.get())
    dists = ["gevent"]
elif name in ("patch-first", "select-false"):
    from gevent import monkey

    if name == "patch-first":
        monkey.patch_all()
        import epoll_user
    else:
        import epoll_user

        monkey.patch_all(select=False)
    steps["the library polls"] = outcome(lambda: epoll_user.poller().poll(0))
    dists = ["gevent"]
elif name == "threadpool-mysqldb":
    from gevent import monkey

    monkey.patch_all()
    import gevent
    import MySQLdb

    conns = [
        MySQLdb.connect(
            host=os.environ.get("LAB_MYSQL_HOST", "127.0.0.1"),
            user=os.environ.get("LAB_MYSQL_USER", "asyncdoctor_lab"),
            passwd=os.environ.get("LAB_MYSQL_PASSWORD", "lab"),
        )
        for _ in range(2)
    ]
    pool = gevent.get_hub().threadpool

    def one(c):
        cur = c.cursor()
        cur.execute("SELECT SLEEP(1)")
        cur.fetchall()

    def both():
        t = time.monotonic()
        jobs = [gevent.spawn(pool.apply, one, (c,)) for c in conns]
        gevent.joinall(jobs, raise_error=True)
        return round(time.monotonic() - t, 2)

    steps["two queries at once"] = outcome(both)
    dists = ["gevent", "mysqlclient"]
else:
    raise SystemExit(f"unknown case {name}")
report(versions=versions(*dists), steps=steps)
