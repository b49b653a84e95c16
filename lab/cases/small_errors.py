"""Errors of the family, each from the smallest program that raises it: `python small_errors.py NAME`.

nested-run: `trio.run()` inside `trio.run()`. loopexit: a gevent queue read that nothing can
feed. thread-switch: a greenlet started in one thread, switched to from another. epoll-cached: a
library that checked for `select.epoll` when imported, used after `monkey.patch_all()` deleted
it (no trio anywhere; lab/cases/epoll_user.py stands for such a library).
"""
import sys

from harness import outcome, report, versions

name = sys.argv[1]
steps = {}
if name == "nested-run":
    import trio

    async def outer():
        trio.run(trio.sleep, 0)

    steps["trio.run() inside trio.run()"] = outcome(lambda: trio.run(outer))
    dists = ["trio"]
elif name == "loopexit":
    import gevent.queue

    steps["Queue().get() with no producer"] = outcome(lambda: gevent.queue.Queue().get())
    dists = ["gevent"]
elif name == "thread-switch":
    import threading

    import greenlet

    made = {}
    t = threading.Thread(target=lambda: made.setdefault("g", greenlet.greenlet(lambda: None)))
    t.start()
    t.join()
    steps["switch to another thread's greenlet"] = outcome(lambda: made["g"].switch())
    dists = ["greenlet"]
elif name == "epoll-cached":
    import epoll_user  # a library that decides at import whether epoll exists
    from gevent import monkey

    monkey.patch_all()
    steps["the library polls after the patch"] = outcome(lambda: epoll_user.poller().poll(0))
    dists = ["gevent"]
else:
    raise SystemExit(f"unknown case {name}")
report(versions=versions(*dists), steps=steps)
