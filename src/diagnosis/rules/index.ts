/**
 * The rule list: the one place a new rule is added. Order is the order findings are reported in
 * (most specific first). Everything else about a rule lives in its module.
 */
import type { Rule } from "../rule.js";
import blockingDbInAsync from "./blocking-db-in-async.js";
import eventletPatchLate from "./eventlet-patch-late.js";
import geventAsyncioMix from "./gevent-asyncio-mix.js";
import geventGrpc from "./gevent-grpc.js";
import geventLoopexit from "./gevent-loopexit.js";
import geventPatchLateSsl from "./gevent-patch-late-ssl.js";
import geventPsycopg2 from "./gevent-psycopg2.js";
import geventPsycopg3Cext from "./gevent-psycopg3-cext.js";
import geventTrioSameProcess from "./gevent-trio-same-process.js";
import greenletThreadSwitch from "./greenlet-thread-switch.js";
import mysqlCextUnderGevent from "./mysql-cext-under-gevent.js";
import selectPrimitiveRemoved from "./select-primitive-removed.js";
import trioEpollMissing from "./trio-epoll-missing.js";
import trioEventletGreensocket from "./trio-eventlet-greensocket.js";
import trioImportUnguarded from "./trio-import-unguarded.js";
import trioNestedRun from "./trio-nested-run.js";
import trioUnsupportedPlatform from "./trio-unsupported-platform.js";

export const RULES: readonly Rule[] = [
  trioUnsupportedPlatform,
  trioEpollMissing,
  trioEventletGreensocket,
  selectPrimitiveRemoved,
  geventPatchLateSsl,
  geventAsyncioMix,
  geventGrpc,
  geventLoopexit,
  geventPsycopg2,
  geventPsycopg3Cext,
  mysqlCextUnderGevent,
  greenletThreadSwitch,
  trioNestedRun,
  eventletPatchLate,
  geventTrioSameProcess,
  trioImportUnguarded,
  blockingDbInAsync,
];
