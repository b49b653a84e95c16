"""eventlet's warning about RLocks made before the patch: `python eventlet_rlock.py late|first`."""
import contextlib
import io
import sys
import threading

from harness import report, versions

order = sys.argv[1]
err = io.StringIO()
with contextlib.redirect_stderr(err):
    if order == "late":
        lock = threading.RLock()
    import eventlet

    eventlet.monkey_patch()
    if order == "first":
        lock = threading.RLock()
text = err.getvalue()
report(
    versions=versions("eventlet"),
    steps={"stderr mentions RLocks": {"raised": None, "value": "not greened" in text}},
    stderr=text[-400:],
)
