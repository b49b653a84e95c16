"""Two green libraries in one process: `eventlet.monkey_patch()` (what gunicorn's eventlet worker
runs before it loads the app), then, with `both`, the app's own gevent `monkey.patch_all()`:
`python two_patchers.py eventlet|both`.

Two eventlet green threads each sleep 0.5 s: about 0.5 s means they still take turns; about 1 s
means every sleep blocked the eventlet hub (gevent's `time.sleep` now runs there).
"""
import sys
import time as _time
import warnings

caught = []


def keep(message, category, *args, **kwargs):
    if not issubclass(category, DeprecationWarning):
        caught.append(f"{category.__name__}: {message}")


warnings.showwarning = keep

import eventlet  # noqa: E402

eventlet.monkey_patch()
if sys.argv[1] == "both":
    from gevent import monkey

    monkey.patch_all()

import time  # noqa: E402

from harness import outcome, report, versions  # noqa: E402


def nap():
    time.sleep(0.5)


def two_sleeps():
    t = _time.monotonic()
    threads = [eventlet.spawn(nap) for _ in range(2)]
    for g in threads:
        g.wait()
    return round(_time.monotonic() - t, 2)


report(
    versions=versions("eventlet", "gevent"),
    steps={"two green threads sleep 0.5 s": outcome(two_sleeps)},
    warnings=[w[:300] for w in caught],
)
