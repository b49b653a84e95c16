import { literal } from "../inline.js";
import type { CallFact } from "../python/facts.js";
import { type CodeFindingDraft, codeDraft, defineRule } from "../rule.js";

/** Synchronous DB drivers' connect functions. */
const SYNC_DB_CONNECTS = [
  "mysql.connector.connect",
  "mysql.connector.Connect",
  "pymysql.connect",
  "pymysql.Connect",
  "MySQLdb.connect",
  "MySQLdb.Connect",
  "psycopg2.connect",
  "sqlite3.connect",
];

const DB_METHODS = [
  "execute",
  "executemany",
  "executescript",
  "fetchone",
  "fetchall",
  "fetchmany",
  "commit",
  "rollback",
  "query",
];

export default defineRule({
  id: "blocking-db-in-async",
  order: 170,
  title: "synchronous database call inside async def",
  needs: {
    source: [["mysql", "MySQLdb", "psycopg2", "sqlite3", "pymysql"], ["async"]],
    calls: [...SYNC_DB_CONNECTS, "*.cursor", ...DB_METHODS.map((m) => `*.${m}`)],
  },
  code: {
    detect(facts) {
      // Per async def: names bound to a sync connection or cursor, then calls on them.
      const byScope = new Map<number, CallFact[]>();
      for (const c of facts.calls) {
        if (c.asyncDefLine === null) continue;
        const list = byScope.get(c.asyncDefLine) ?? [];
        list.push(c);
        byScope.set(c.asyncDefLine, list);
      }
      // Connections made at module level and used inside async defs count too.
      const moduleConns = new Set<string>();
      for (const c of facts.calls)
        if (c.moduleLevel && c.boundTo && SYNC_DB_CONNECTS.includes(c.qualified)) moduleConns.add(c.boundTo);
      const drafts: CodeFindingDraft[] = [];
      for (const calls of byScope.values()) {
        const tainted = new Set<string>(moduleConns);
        const hits: CallFact[] = [];
        for (const c of calls.sort((a, b) => a.line - b.line || a.column - b.column)) {
          if (c.awaited) continue; // an awaited call is an async API
          if (SYNC_DB_CONNECTS.includes(c.qualified)) {
            hits.push(c);
            if (c.boundTo) tainted.add(c.boundTo);
            continue;
          }
          const dot = c.qualified.lastIndexOf(".");
          if (dot < 0) continue;
          const method = c.qualified.slice(dot + 1);
          if (!tainted.has(c.qualified.slice(0, dot))) continue;
          // Making a cursor talks to no server (sqlite3, the MySQL drivers, psycopg2): follow it,
          // and report what it then runs, if run here and not handed to a thread.
          if (method === "cursor") {
            if (c.boundTo) tainted.add(c.boundTo);
          } else if (DB_METHODS.includes(method)) hits.push(c);
        }
        const first = hits[0];
        if (!first) continue;
        const others = hits.slice(1, 4).map((h) => h.line);
        drafts.push(
          codeDraft(
            facts,
            first,
            `${literal(`${first.raw}()`, 80)} is a synchronous database call inside ${literal(`async def ${first.asyncDef ?? ""}`, 80)}: it blocks the event loop for the whole query${others.length === 1 ? ` (so does line ${others[0]})` : others.length > 1 ? ` (so do lines ${others.join(", ")})` : ""}. Run it in a thread (\`await asyncio.to_thread(...)\`, \`await trio.to_thread.run_sync(...)\`, \`anyio.to_thread.run_sync\`) or use an async driver (aiomysql, asyncmy, \`mysql.connector.aio\`, psycopg 3 async, aiosqlite).`,
            hits.slice(0, 4).map((h) => h.line),
          ),
        );
      }
      return drafts;
    },
  },
  docs: {
    upstream: [
      {
        name: "asyncio.to_thread",
        url: "https://docs.python.org/3/library/asyncio-task.html#asyncio.to_thread",
      },
    ],
    what: "Inside an `async def` (not in a nested `def` or `lambda`), a call to `mysql.connector.connect`, `pymysql.connect`, `MySQLdb.connect`, `psycopg2.connect` or `sqlite3.connect` (aliases resolved), or `execute`/`fetch*`/`commit`/`rollback` on a name bound to such a connection or its cursor (in the function or at module level). One finding per function, on the first such call: making a cursor does no I/O and is not reported, and a method handed to a thread (`run_in_executor(None, cur.execute, sql)`) is not a call.",
    why: "The call blocks the event loop for the whole query: every other task waits.",
    example: {
      lang: "python",
      code: 'import pymysql\n\nasync def handler(request):\n    conn = pymysql.connect(host="db")  # <- reported here\n    ...',
    },
    fix: "`await asyncio.to_thread(...)` / `await trio.to_thread.run_sync(...)` / `anyio.to_thread.run_sync`, or an async driver: `mysql.connector.aio` (mysql-connector-python ≥ 8.3.0), aiomysql, asyncmy, psycopg 3 async, aiosqlite. There is no maintained trio-native MySQL driver.",
    notMatched:
      "Awaited calls (async APIs); functions passed to `asyncio.to_thread`, `run_in_executor` or `trio.to_thread.run_sync` (they are not called there).",
  },
});
