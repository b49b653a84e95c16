"""A green blocking call made by the event loop itself: `python loop_callback.py PATCHER WHERE [spawn]`.

PATCHER is `eventlet` or `gevent`; WHERE is `timer` (a callback the hub runs), `signal` (a signal
handler that runs while the hub waits for I/O, as a worker's shutdown handler does) or `finalizer`
(a `__del__` run by a garbage collection the hub triggers, as when a pooled DB connection is
collected). The callback sleeps 0.05 s, the smallest green blocking call. With `spawn`, the
callback hands that work to a new greenlet instead, and waits for nothing.
"""
import gc
import os
import signal
import sys

from harness import outcome, report, versions

PATCHER, WHERE = sys.argv[1], sys.argv[2]
SPAWN = len(sys.argv) > 3 and sys.argv[3] == "spawn"

if PATCHER == "eventlet":
    import eventlet

    eventlet.monkey_patch()
    hub = eventlet.hubs.get_hub()
    sleep, spawn = eventlet.sleep, eventlet.spawn

    def result(g):
        return g.wait()

    def later(fn):
        hub.schedule_call_global(0, fn)
else:
    from gevent import monkey

    monkey.patch_all()
    import gevent

    hub = gevent.get_hub()
    sleep, spawn = gevent.sleep, gevent.spawn

    def result(g):
        return g.get()

    def later(fn):
        hub.loop.run_callback(fn)


seen = {}


def blocking_work():
    sleep(0.05)
    return "slept"


def callback():
    if SPAWN:
        seen["work"] = spawn(blocking_work)
        seen["step"] = {"raised": None, "value": "handed to a greenlet"}
    else:
        seen["step"] = outcome(blocking_work)


class Pooled:
    """Stands for a pooled connection whose finalizer returns it (network I/O) when collected."""

    def __init__(self):
        self.cycle = self

    def __del__(self):
        callback()


if WHERE == "timer":
    later(callback)
elif WHERE == "signal":
    signal.signal(signal.SIGUSR1, lambda *_: callback())
    later(lambda: os.kill(os.getpid(), signal.SIGUSR1))
else:
    gc.disable()
    Pooled()
    later(gc.collect)

sleep(0.3)  # the main greenlet waits; the hub runs the callback meanwhile
if "work" in seen:
    seen["step"]["value"] = result(seen["work"])
steps = {f"sleep in a {WHERE} the loop runs": seen.get("step") or {"raised": None, "value": "did not run"}}
report(versions=versions(PATCHER), steps=steps)
