"""What every lab case shares: run a scenario, record what happened, print one JSON line.

A case is a real program against real libraries: it never mocks a library. What cannot run on
Linux (macOS) is simulated the way the platform differs for these libraries, and the result says
so: ``sys.platform`` reads ``"darwin"``, ``select.epoll`` is gone and ``select.kqueue`` /
``select.kevent`` stand in (trio only checks that they exist when it picks its backend), until a
patcher deletes them as it does on macOS.
"""
import importlib.metadata
import json
import os
import select
import sys
import time
import traceback

RESULT_MARK = "LAB-RESULT "


def versions(*names):
    """Installed versions of distributions (None when absent)."""
    out = {"python": ".".join(map(str, sys.version_info[:3]))}
    for n in names:
        try:
            out[n] = importlib.metadata.version(n)
        except importlib.metadata.PackageNotFoundError:
            out[n] = None
    return out


def simulate_macos():
    """Make this Linux process look like macOS to trio and the patchers (see the module doc).

    Two pieces of the standard library exist only in macOS builds and are imported once
    ``sys.platform`` says darwin: ``ctypes.macholib`` (ctypes.util.find_library; trio names its
    threads with it) and ``_scproxy`` (urllib's proxy settings; httpx reads them). They stand in
    here as a macOS without those libraries or proxies would answer: nothing found.
    """
    import types

    try:
        import ctypes.macholib.dyld  # noqa: F401
    except ImportError:
        macholib = types.ModuleType("ctypes.macholib")
        dyld = types.ModuleType("ctypes.macholib.dyld")

        def dyld_find(name, *args, **kwargs):
            raise ValueError(f"dylib {name} could not be found")

        dyld.dyld_find = dyld_find
        macholib.dyld = dyld
        sys.modules["ctypes.macholib"] = macholib
        sys.modules["ctypes.macholib.dyld"] = dyld
    if "_scproxy" not in sys.modules:
        scproxy = types.ModuleType("_scproxy")
        scproxy._get_proxy_settings = lambda: {"exclude_simple": False}
        scproxy._get_proxies = lambda: {}
        sys.modules["_scproxy"] = scproxy
    sys.platform = "darwin"
    if hasattr(select, "epoll"):
        del select.epoll

    class kqueue:  # noqa: N801 - the name trio looks for
        """Stand-in: only its existence matters before a patcher removes it."""

    class kevent:  # noqa: N801
        pass

    select.kqueue = kqueue
    select.kevent = kevent
    for name in ("KQ_FILTER_READ", "KQ_FILTER_WRITE", "KQ_EV_ADD", "KQ_EV_DELETE", "KQ_EV_ONESHOT"):
        setattr(select, name, 0)


def _roots():
    return sorted({os.path.abspath(p) for p in sys.path if p}, key=len, reverse=True)


def relative(path, roots=None):
    """A file's path relative to the import path (`trio/_core/_run.py`), never this machine's."""
    path = os.path.abspath(path)
    for root in roots or _roots():
        if path.startswith(root + os.sep):
            return path[len(root) + 1 :].replace(os.sep, "/")
    return os.path.basename(path)


def frames_of(tb):
    """The frames of a traceback as [file relative to the import path, line, function, source line]."""
    roots = _roots()
    return [[relative(f.filename, roots), f.lineno, f.name, (f.line or "").strip()[:200]] for f in traceback.extract_tb(tb)]


def exception_name(e):
    """The exception's name as a traceback prints it: `gevent.exceptions.LoopExit`, `AttributeError`."""
    t = type(e)
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def plain(value):
    """A JSON-safe value with no machine paths: a module reads as its name and relative file."""
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    file = getattr(value, "__file__", None)
    if file and hasattr(value, "__name__"):
        return f"<module '{value.__name__}' from '{relative(file)}'>"
    return str(value)


def outcome(fn):
    """Run `fn`; what it raised (type, message, frames) or that it returned, and how long it took."""
    t = time.monotonic()
    try:
        value = fn()
    except BaseException as e:  # noqa: BLE001 - the lab records whatever happens
        seen = {
            "raised": type(e).__name__,
            "exception": exception_name(e),
            "message": str(e)[:500],
            "frames": frames_of(e.__traceback__),
            "seconds": round(time.monotonic() - t, 3),
        }
        if isinstance(getattr(e, "output", None), str):
            seen["output"] = e.output[-4000:]  # what a program the case ran printed
        return seen
    return {"raised": None, "value": plain(value), "seconds": round(time.monotonic() - t, 3)}


def report(**fields):
    """Print the case's result: one marked JSON line, the last thing the case prints."""
    sys.stdout.flush()
    print(RESULT_MARK + json.dumps(fields, default=str), flush=True)
