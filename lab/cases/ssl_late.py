"""gevent patching ssl after requests was imported: `python ssl_late.py late|first`.

requests (through urllib3) binds `ssl.SSLContext` when it is imported. `late`: `import requests`,
then `monkey.patch_all()`, then urllib3 makes a context as it does for every HTTPS request.
`first`: the patch runs first.
"""
import sys
import warnings

from harness import outcome, report, versions

order = sys.argv[1]
caught = []


def keep(message, category, *args, **kwargs):
    if not issubclass(category, DeprecationWarning):
        caught.append(f"{category.__name__}: {message}")


warnings.showwarning = keep


def patch():
    from gevent import monkey

    monkey.patch_all()


if order == "first":
    patch()
    import requests  # noqa: F401
else:
    import requests  # noqa: F401

    patch()


def context():
    from urllib3.util.ssl_ import create_urllib3_context

    create_urllib3_context()
    return "made"


sys.setrecursionlimit(400)
report(
    versions=versions("gevent", "requests", "urllib3"),
    steps={"urllib3 makes an SSL context": outcome(context)},
    warnings=[w[:300] for w in caught],
)
