"""trio in a patched process: `python trio_under_patcher.py PATCH [macos]`.

PATCH is `gevent` (monkey.patch_all()), `eventlet` (eventlet.monkey_patch()) or `eventlet-import`
(a bare `import eventlet`, no patch call). Then `import trio`, and when that works, `trio.run()`.
"""
import sys

from harness import outcome, report, simulate_macos, versions

patch = sys.argv[1]
macos = "macos" in sys.argv[2:]
if macos:
    simulate_macos()


def do_patch():
    if patch == "gevent":
        from gevent import monkey

        monkey.patch_all()
    elif patch == "eventlet":
        import eventlet

        eventlet.monkey_patch()
    else:
        import eventlet  # noqa: F401


patched = outcome(do_patch)
imported = outcome(lambda: __import__("trio"))
ran = None
if imported["raised"] is None:
    import trio

    ran = outcome(lambda: trio.run(trio.sleep, 0))
report(
    versions=versions("trio", "gevent", "eventlet"),
    simulated="macOS" if macos else None,
    steps={"patch": patched, "import trio": imported, "trio.run()": ran},
)
