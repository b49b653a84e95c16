"""grpc in a gevent-patched process: `python grpc_under_gevent.py [init]`.

A grpc server runs in a separate, unpatched process (this program started again with `serve`);
its one method sleeps a second. In the patched process two greenlets each make one call. With
`init`, `grpc.experimental.gevent.init_gevent()` runs after the patch and before the channel is
made. About one second: grpc cooperates with gevent; about two: each call blocked the process.
"""
import subprocess
import sys
import time

if sys.argv[1:2] == ["serve"]:
    from concurrent import futures

    import grpc

    def slow(request, context):
        time.sleep(1)
        return request

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    handler = grpc.method_handlers_generic_handler(
        "lab.Slow", {"Call": grpc.unary_unary_rpc_method_handler(slow)}
    )
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)
    sys.stdin.read()  # until the parent closes it
    server.stop(0)
    raise SystemExit(0)

from gevent import monkey  # noqa: E402

monkey.patch_all()
init = "init" in sys.argv[1:]
if init:
    import grpc.experimental.gevent as grpc_gevent

    grpc_gevent.init_gevent()

import gevent  # noqa: E402
import grpc  # noqa: E402
from harness import outcome, report, versions  # noqa: E402

server = subprocess.Popen(
    [sys.executable, *(["-S"] if sys.flags.no_site else []), __file__, "serve"],
    stdin=subprocess.PIPE,
    stdout=subprocess.PIPE,
    text=True,
)
port = int(server.stdout.readline())
channel = grpc.insecure_channel(f"127.0.0.1:{port}")
call = channel.unary_unary("/lab.Slow/Call")
call(b"warm", timeout=10)


def both():
    t = time.monotonic()
    jobs = [gevent.spawn(call, b"x", timeout=10) for _ in range(2)]
    gevent.joinall(jobs, raise_error=True, timeout=15)
    if not all(j.ready() for j in jobs):
        raise TimeoutError("the calls did not finish within 15 s")
    return round(time.monotonic() - t, 2)


steps = {"two calls at once": outcome(both)}
server.stdin.close()
server.wait(timeout=10)
report(versions=versions("gevent", "grpcio"), steps=steps, init_gevent=init)
