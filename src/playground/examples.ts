/**
 * The playground's examples: four issue threads from the test corpus (public GitHub issues, as
 * excerpted there; the first is the founding trio + gevent + MySQL report) and three Python files.
 */
import type { PlaygroundState } from "./state.js";

export interface Example {
  id: string;
  label: string;
  state: PlaygroundState;
}

export const EXAMPLES: Example[] = [
  {
    id: "issue-founding",
    label: "Issue: trio + gevent + MySQL on macOS (trio#3119)",
    state: {
      tab: "issue",
      title: "trio does not work with mysql connector and gevent on only MacOS",
      body: 'abhra-bv · description · 2024-10-26\n\n```\n File "/srv/env3.11/lib/python3.11/site-packages/httpx/_transports/default.py", line 32, in\n    import httpcore\n  File "/srv/env3.11/lib/python3.11/site-packages/httpcore/init.py", line 1, in\n    from ._api import request, stream\n  File "/srv/env3.11/lib/python3.11/site-packages/httpcore/_api.py", line 5, in\n    from ._sync.connection_pool import ConnectionPool\n  File "/srv/env3.11/lib/python3.11/site-packages/httpcore/_sync/init.py", line 1, in\n    from .connection import HTTPConnection\n  File "/srv/env3.11/lib/python3.11/site-packages/httpcore/_sync/connection.py", line 12, in\n    from .._synchronization import Lock\n  File "/srv/env3.11/lib/python3.11/site-packages/httpcore/_synchronization.py", line 11, in\n    import trio\n  File "/srv/env3.11/lib/python3.11/site-packages/trio/init.py", line 23, in\n    from ._core import TASK_STATUS_IGNORED as TASK_STATUS_IGNORED # isort: split\n    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n  File "/srv/env3.11/lib/python3.11/site-packages/trio/_core/init.py", line 21, in\n    from ._local import RunVar, RunVarToken\n  File "/srv/env3.11/lib/python3.11/site-packages/trio/_core/_local.py", line 9, in\n    from . import _run\n  File "/srv/env3.11/lib/python3.11/site-packages/trio/_core/_run.py", line 2840, in\n    raise NotImplementedError("unsupported platform")\nNotIm\n```\n',
      repo: "python-trio/trio",
    },
  },
  {
    id: "issue-epoll",
    label: "Issue: select.epoll missing under gunicorn's gevent worker (trio#2848)",
    state: {
      tab: "issue",
      title: "AttributeError: module 'select' has no attribute 'epoll'",
      body: "kushalmraut · description · 2023-11-01\n**version : trio==0.22.2**\n\n```\n[2023-10-10 12:06:56 +0000] [4254] [INFO] Worker exiting (pid: 4254)\n[2023-10-10 12:07:00 +0000] [4232] [INFO] Shutting down: Master\n[2023-10-10 12:07:00 +0000] [4232] [INFO] Reason: Worker failed to boot.\n[2023-10-10 12:07:04 +0000] [4264] [DEBUG] Current configuration:\n config: None\n bind: ['unix:/run/anahit.sock']\n backlog: 2048\n workers: 1\n worker_class: gevent\n threads: 1\n worker_connections: 1000\n max_requests: 0\n max_requests_jitter: 0\n timeout: 120\n graceful_timeout: 30\n keepalive: 2\n limit_request_line: 4094\n limit_request_fields: 100\n limit_request_field_size: 8190\n reload: False\n reload_engine: auto\n reload_extra_files: []\n spew: False\n check_config: False\n preload_app: False\n sendfile: None\n reuse_port: False\n chdir: /home/anahit_web/anahit_website/app\n daemon: False\n raw_env: []\n pidfile: None\n worker_tmp_dir: None\n user: 1000\n group: 33\n umask: 0\n initgroups: False\n tmp_upload_dir: None\n secure_scheme_headers: {'X-FORWARDED-PROTOCOL': 'ssl', 'X-FORWARDED-PROTO': 'https', 'X-FORWARDED-SSL': 'on'}\n forwarded_allow_ips: ['127.0.0.1']\n accesslog: /home/anahit_web/logs/access.log\n disable_redirect_access_to_syslog: False\n access_log_format: %(h)s %(l)s %(u)s %(t)s \"%(r)s\" %(s)s %(b)s \"%(f)s\" \"%(a)s\"\n errorlog: /home/anahit_web/logs/anahit_gunicorn.log\n loglevel: debug\n capture_output: True\n```\n",
      repo: "python-trio/trio",
    },
  },
  {
    id: "issue-psycogreen",
    label: "Issue: psycopg2 blocks gevent (deis#492)",
    state: {
      tab: "issue",
      title: "Integrate psycogreen for gevent support",
      body: "mboersma · description · 2014-01-27\nPsycopg's blocking interface apparently doesn't cooperate with frameworks such as gevent. We should investigate https://pypi.python.org/pypi/psycogreen/1.0.\n",
      repo: "deis/deis",
    },
  },
  {
    id: "issue-grpc",
    label: "Issue: grpc under gevent (gevent#786)",
    state: {
      tab: "issue",
      title: "GRPC compatibility",
      body: "Globegitter · description · 2016-03-31\nSeeing as there is an issue on the grpc repo, I thought it is worth crosslinking this to an issue here for people that run into this and are looking for a solution:\n\nhttps://github.com/grpc/grpc/issues/4629\n\nIn short, monkey patching does not seem to handle grpc/futures, as well as the thread monkey patching seems to cause issue with it.\n\nIt would be great to get gevent/greenlet to work with grpc to get concurrent grpc requests working.\n\njamadden · comment · 2016-03-31\nAs currently implemented, grpc is going to be *fundamentally* incompatible with patching threading due to the design decisions each project has made.\n\nThe referenced issue supplies [a minimal example](https://github.com/vinays/grpc-gevent-mokey) showing the problem (although anything that purports to require docker isn't really minimal...fortunately, you can ignore all the docker stuff and just run the code under your favorite debugger). If we run this, we see that the hang ultimately comes down to this stack trace:\n\n```\n0   libsystem_kernel.dylib        \t0x00007fff91e712a2 poll + 10\n1   cygrpc.so                     \t0x000000010b6febeb basic_pollset_maybe_work_and_unlock + 292\n2   cygrpc.so                     \t0x000000010b6fe63a grpc_pollset_work + 540\n3   cygrpc.so                     \t0x000000010b709496 grpc_completion_queue_next + 307\n4   cygrpc.so                     \t0x000000010b6cc233 __pyx_pw_4grpc\n```\n",
      repo: "gevent/gevent",
    },
  },
  {
    id: "code-late",
    label: "Code: a module imported before gevent patches",
    state: {
      tab: "code",
      path: "app/main.py",
      source:
        "import requests\nfrom gevent import monkey\n\nmonkey.patch_all()\n\n\ndef fetch(url):\n    return requests.get(url, timeout=10)\n",
      requirements: "",
      pyproject: "",
    },
  },
  {
    id: "code-mysql",
    label: "Code: MySQL Connector's C extension in a gevent worker",
    state: {
      tab: "code",
      path: "db.py",
      source:
        'from gevent import monkey\n\nmonkey.patch_all()\n\nimport mysql.connector\n\n\ndef connect():\n    return mysql.connector.connect(host="db", user="app", database="shop")\n',
      requirements: "gevent==24.2.1\nmysql-connector-python==8.4.0\n",
      pyproject: "",
    },
  },
  {
    id: "code-httpx",
    label: "Code: httpx after the patch, with httpcore 1.0.9 and trio pinned",
    state: {
      tab: "code",
      path: "worker.py",
      source:
        'import gevent.monkey\n\ngevent.monkey.patch_all()\n\nimport httpx\n\n\ndef ping():\n    return httpx.get("https://example.org/health", timeout=5)\n',
      requirements: "gevent==24.2.1\nhttpcore==1.0.9\nhttpx==0.28.1\ntrio==0.26.2\n",
      pyproject: "",
    },
  },
];
