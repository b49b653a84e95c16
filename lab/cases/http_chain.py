"""A dependency that imports trio, under gevent: `python http_chain.py MODULE [macos] [before]`.

MODULE is httpcore, httpx, httpcore2 or httpx2. `monkey.patch_all()` runs first, then the module is
imported and, for httpx/httpx2, a client made (httpx >= 0.28 imports httpcore only then). With
`before`, the fix "import httpcore before the patch" is applied: httpcore (or httpcore2) is
imported first, then the patch, then the client.
"""
import importlib
import sys

from harness import outcome, report, simulate_macos, versions

module = sys.argv[1]
macos = "macos" in sys.argv[2:]
before = "before" in sys.argv[2:]
if macos:
    simulate_macos()
core = "httpcore2" if module.endswith("2") else "httpcore"
early = outcome(lambda: importlib.import_module(core)) if before else None

from gevent import monkey  # noqa: E402

monkey.patch_all()
steps = {}
if early is not None:
    steps[f"import {core} (before the patch)"] = early
steps[f"import {module}"] = imported = outcome(lambda: importlib.import_module(module))
if imported["raised"] is None and module.startswith("httpx"):
    mod = sys.modules[module]
    steps[f"{module}.Client()"] = outcome(lambda: mod.Client().close())
report(
    versions=versions("trio", "httpcore", "httpx", "httpcore2", "httpx2", "gevent"),
    simulated="macOS" if macos else None,
    steps=steps,
    trio_loaded="trio" in sys.modules,
)
