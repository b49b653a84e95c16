"""The popular workaround, run: `import trio` before `monkey.patch_all()`, then `trio.run()`.

The import-time crash is avoided; the claim is that running trio in the patched process still
fails.
"""
import trio  # noqa: I001 - the point is the order
from gevent import monkey

from harness import outcome, report, versions

monkey.patch_all()
report(
    versions=versions("trio", "gevent"),
    steps={"trio.run() after the patch": outcome(lambda: trio.run(trio.sleep, 0))},
)
