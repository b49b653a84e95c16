/**
 * What the diagnosis knows about packages by version: who imports trio and whether the error
 * escapes, who patches on import, which database drivers block the gevent hub, and grpc's gevent
 * support. One entry per package and version range, each with its source. Ranges are PEP 440.
 */

export interface TrioImporter {
  /** Normalised package name. */
  pkg: string;
  /** The version range this entry holds for ("" = all). */
  range: string;
  /** The import chain from this package to trio. */
  chain: readonly string[];
  /** Every error of `import trio` but `ImportError` escapes to the program. */
  escapes: "all";
  /** Where it is shown: a lab case (lab/cases.mjs) or the source read. */
  source: string;
}

/**
 * httpcore imports trio whenever it is installed. `_synchronization.py` catches
 * `NotImplementedError` from 1.0.6, but `httpcore/__init__.py` imports its trio backend (a bare
 * `import trio`) first, catching only `ImportError`: under a patcher every release through 1.0.9
 * (the newest checked) fails at `import httpcore`. Lab: httpcore-1.0.9-macos, httpx-0.28-lazy-macos.
 */
const HTTPCORE_SOURCE =
  "`httpcore/__init__.py` imports `._backends.trio` (a bare `import trio`) catching only `ImportError`, 0.17.2 – 1.0.9 (lab case httpcore-1.0.9-macos)";

export const TRIO_IMPORTERS: readonly TrioImporter[] = [
  {
    pkg: "httpcore",
    range: ">=0.17.2",
    chain: ["httpcore", "trio"],
    escapes: "all",
    source: HTTPCORE_SOURCE,
  },
  {
    pkg: "httpcore2",
    range: "",
    chain: ["httpcore2", "trio"],
    escapes: "all",
    source: "httpcore2 (the httpx2 fork) keeps the same `__init__` import (lab case httpx2-macos)",
  },
  {
    pkg: "pyee",
    range: ">=7,<12",
    chain: ["pyee", "trio"],
    escapes: "all",
    source:
      "pyee 7.0.0 – 11.1.1 import `pyee/_trio.py` from the package guarded by `except (ImportError, SyntaxError)`; gone from 12.0.0",
  },
];

/** Packages that import a trio importer (their chain continues with it). */
export const CARRIERS: ReadonlyMap<string, readonly string[]> = new Map([
  ["httpx", ["httpx", "httpcore"]],
  ["httpx2", ["httpx2", "httpcore2"]],
  ["openai", ["openai", "httpx"]],
  ["anthropic", ["anthropic", "httpx"]],
  ["discord-webhook", ["discord-webhook", "httpx"]],
]);

/** trio versions whose import already fails on Linux under patching (the epoll AttributeError). */
export const TRIO_LINUX_IMPORT_FAILS = ">=0.17,<0.26";

/** psycopg 3 releases whose C implementation blocks other greenlets. */
export const PSYCOPG3_CEXT_BLOCKS = ">=3.1.5,<3.1.14";
export const PSYCOPG3_FIXED = "3.1.14";

/** grpcio from which `grpc.experimental.gevent.init_gevent()` is reliable (fixes the hangs). */
export const GRPC_GEVENT_OK = ">=1.51.1";
export const GRPC_GEVENT_FIXED = "1.51.1";

/** The newest httpcore release checked (its `__init__` still imports trio unguarded). */
export const HTTPCORE_NEWEST_CHECKED = "1.0.9";

/** mysql-connector-python release from which `connect()` uses the C extension by default (`use_pure=False`). */
export const CONNECTOR_CEXT_DEFAULT = "8.0.11";

/** Packages that patch with gevent as a side effect of being imported (import name → source). */
export const PATCHES_ON_IMPORT: ReadonlyMap<string, string> = new Map([
  ["grequests", "grequests/__init__.py calls `gevent.monkey.patch_all()` at import"],
  ["locust", "locust/__init__.py calls `gevent.monkey.patch_all()` at import (locust >= 1.0)"],
]);

/**
 * eventlet's greendns imports dnspython with a green `select` in place; dnspython from 2.4
 * imports httpx when it is installed (httpx → httpcore → trio), so a bare `import eventlet` can
 * import trio after `select` lost its primitives. Source: eventlet/support/greendns.py, dnspython
 * 2.4 `dns/query.py` (`import httpx` when available); workarounds from those issue threads.
 */
export const DNSPYTHON_IMPORTS_HTTPX = ">=2.4";
