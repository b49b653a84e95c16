"""gevent patching ssl after a module bound SSLContext: `python ssl_late.py late|first`.

`late`: `from ssl import SSLContext` and a default context (what requests/urllib3 do on import),
then `monkey.patch_all()`, then a context's options set. `first`: the patch runs first.
"""
import sys
import warnings

from harness import outcome, report, versions

order = sys.argv[1]
caught = []
warnings.showwarning = lambda message, category, *a, **k: caught.append(f"{category.__name__}: {message}")


def bind_ssl():
    import ssl
    from ssl import SSLContext  # noqa: F401 - the direct reference gevent warns about

    return ssl.create_default_context()


def patch():
    from gevent import monkey

    monkey.patch_all()


if order == "first":
    patch()
    bind_ssl()
else:
    bind_ssl()
    patch()


def set_options():
    import ssl

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.options |= ssl.OP_NO_TLSv1
    return "options set"


sys.setrecursionlimit(400)
report(
    versions=versions("gevent"),
    steps={"set SSLContext.options": outcome(set_options)},
    warnings=[w[:300] for w in caught],
)
