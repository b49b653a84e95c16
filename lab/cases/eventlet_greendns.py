"""A bare `import eventlet` with dnspython and httpx installed: `python eventlet_greendns.py [macos]`.

No `monkey_patch()` anywhere. eventlet's greendns imports dnspython with a green `select` in
place; dnspython >= 2.4 may import httpx (and so httpcore and trio) inside that window.
EVENTLET_NO_GREENDNS comes from the environment the lab sets.
"""
import os
import sys

from harness import outcome, report, simulate_macos, versions

macos = "macos" in sys.argv[1:]
if macos:
    simulate_macos()
steps = {"import eventlet": outcome(lambda: __import__("eventlet"))}
steps["trio loaded by it"] = {"raised": None, "value": "trio" in sys.modules}
report(
    versions=versions("eventlet", "dnspython", "httpx", "httpcore", "h2", "trio"),
    simulated="macOS" if macos else None,
    greendns_env=os.environ.get("EVENTLET_NO_GREENDNS"),
    steps=steps,
)
