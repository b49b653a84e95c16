/**
 * How threads name the family's fixes (term groups for `FixDef.mentioned`, see text/state.ts):
 * every group needs a term at a word start of one sentence. A reporter's sentence that says it was
 * done marks the fix applied; a maintainer's sentence marks it given.
 */
import type { Groups } from "../../text/state.js";

const PATCH = [
  "patch_all",
  "monkey_patch",
  "monkey.patch",
  "monkey patch",
  "monkey-patch",
  "patching",
  "patch is",
  "patch first",
];
const FIRST = [
  "first",
  "top",
  "before any",
  "before all",
  "before anything",
  "beginning",
  "earliest",
  "very start",
];

export const PATCH_FIRST: Groups = [PATCH, FIRST];
export const EVENTLET_PATCH_FIRST: Groups = [
  ["monkey_patch", "monkey patch", "monkey-patch", "patching"],
  FIRST,
];
export const UNINSTALL_TRIO: Groups = [["uninstall", "removed", "removing", "remove"], ["trio"]];
export const GREENDNS_OFF: Groups = [
  [
    "eventlet_no_greendns",
    "dnspython==2.3",
    "dnspython 2.3",
    "uninstalled eventlet",
    "uninstalling eventlet",
    "removed eventlet",
    "removing eventlet",
  ],
];
export const LOCUST_SKIP: Groups = [["locust_skip_monkey_patch"]];
export const NO_PRELOAD: Groups = [
  ["--preload", "preload_app", "preload"],
  ["remov", "without", "disabl", "drop", "turn"],
];
export const PSYCOGREEN: Groups = [["psycogreen", "patch_psycopg"]];
export const PSYCOPG3: Groups = [["psycopg3", "psycopg 3"]];
export const UPGRADE_PSYCOPG: Groups = [["psycopg"], ["upgrad", "3.1.14", "3.2", "3.3"]];
export const USE_PURE: Groups = [["use_pure"]];
export const PYMYSQL: Groups = [["pymysql"]];
export const THREADPOOL: Groups = [["threadpool", "tpool", "get_hub().threadpool"]];
export const INIT_GEVENT: Groups = [["init_gevent"]];
export const UPGRADE_GRPCIO: Groups = [
  ["grpcio", "grpc"],
  ["upgrad", "latest", "newest"],
];
export const GTHREAD: Groups = [["gthread"]];
export const GUNICORN_25: Groups = [["gunicorn<26", "gunicorn==25", "gunicorn 25", "downgrad"]];
export const UPGRADE_GEVENT: Groups = [["gevent"], ["upgrad", "24.10", "24.11", "25."]];
export const SPAWN: Groups = [["spawn", "spawn_n"]];
export const CLOSE_CONNECTIONS: Groups = [
  ["close()", "context manager", "with engine.connect", "with session"],
];
export const OLDER_PYTHON: Groups = [
  ["3.13.11", "3.14.2", "3.12"],
  ["downgrad", "back to", "pin", "went back", "switched"],
];
export const ASYNCIO_BRIDGE: Groups = [["asyncio-gevent", "asyncio_gevent"]];
export const SELECT_FALSE: Groups = [["select=false"]];
