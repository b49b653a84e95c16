"""gunicorn with a worker class: boot it on a free port, answer one request, stop it.

argv[1] is the worker class (`eventlet`, `gevent`). What gunicorn printed when it did not boot is
kept as the step's output (with this machine's paths cut to the import path), since that is what a
reporter pastes.
"""
import os
import socket
import subprocess
import sys
import time
import urllib.request

from harness import outcome, relative, report, versions

WORKER = sys.argv[1]
APP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "wsgi_hello.py")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def plain_output(text):
    """gunicorn's output with file paths relative to the import path."""
    out = []
    for line in text.splitlines():
        start = line.find('File "')
        if start >= 0:
            end = line.find('"', start + 6)
            line = line[: start + 6] + relative(line[start + 6 : end]) + line[end:]
        out.append(line)
    return "\n".join(out)


def serve():
    port = free_port()
    cmd = [sys.executable, "-m", "gunicorn", "-k", WORKER, "-w", "1", "-b", f"127.0.0.1:{port}",
           "--chdir", os.path.dirname(APP), "wsgi_hello:app"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                output = plain_output(proc.stdout.read())
                error = next((line for line in output.splitlines() if line.startswith("Error:")), output[-300:])
                e = RuntimeError(error.removeprefix("Error: ").strip())
                e.output = output
                raise e
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                    return r.read().decode()
            except OSError:
                time.sleep(0.2)
        raise TimeoutError("gunicorn did not answer within 20 s")
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


step = outcome(serve)
report(versions=versions("gunicorn", "gevent", "eventlet"), steps={f"gunicorn -k {WORKER}": step})
