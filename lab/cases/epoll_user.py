"""Stands for a library that decides at import time which poller the platform has (pyinotify,
older tornado and urllib3 did this) and uses it later."""
import select

HAVE_EPOLL = hasattr(select, "epoll")


def poller():
    return select.epoll() if HAVE_EPOLL else select.poll()
