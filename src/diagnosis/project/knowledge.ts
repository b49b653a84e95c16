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
  /**
   * Which errors of `import trio` escape to the program: `all` (only ImportError is caught),
   * `attribute-error` (NotImplementedError is caught, Linux's AttributeError is not).
   */
  escapes: "all" | "attribute-error";
  source: string;
}

const HTTPCORE_SOURCE =
  "httpcore/_synchronization.py (0.17.2 - 1.0.5: `except ImportError`; 1.0.6: `except (ImportError, NotImplementedError)`)";

export const TRIO_IMPORTERS: readonly TrioImporter[] = [
  {
    pkg: "httpcore",
    range: ">=0.17.2,<1.0.6",
    chain: ["httpcore", "trio"],
    escapes: "all",
    source: HTTPCORE_SOURCE,
  },
  {
    pkg: "httpcore",
    range: ">=1.0.6",
    chain: ["httpcore", "trio"],
    escapes: "attribute-error",
    source: HTTPCORE_SOURCE,
  },
  {
    pkg: "pyee",
    range: ">=8,<9",
    chain: ["pyee", "trio"],
    escapes: "all",
    source: "pyee 8.x imports `pyee/_trio.py` from its package",
  },
];

/** Packages that import a trio importer (their chain continues with it). */
export const CARRIERS: ReadonlyMap<string, readonly string[]> = new Map([
  ["httpx", ["httpx", "httpcore"]],
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

export const HTTPCORE_CATCHES = "1.0.6";

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
