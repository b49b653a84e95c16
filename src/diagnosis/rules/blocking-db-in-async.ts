import { codeEvidence, DB_METHODS, SYNC_DB_CONNECTS } from "../knowledge.js";
import { code } from "../md.js";
import type { CallFact } from "../python/facts.js";
import type { Rule } from "../rule.js";

const rule: Rule = {
  id: "blocking-db-in-async",
  title: "synchronous database call inside async def",
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
        if (c.moduleLevel && c.boundTo && SYNC_DB_CONNECTS.has(c.qualified)) moduleConns.add(c.boundTo);
      const drafts = [];
      for (const calls of byScope.values()) {
        const tainted = new Set<string>(moduleConns);
        const hits: CallFact[] = [];
        for (const c of calls.sort((a, b) => a.line - b.line || a.column - b.column)) {
          if (c.awaited) continue; // an awaited call is an async API
          if (SYNC_DB_CONNECTS.has(c.qualified)) {
            hits.push(c);
            if (c.boundTo) tainted.add(c.boundTo);
            continue;
          }
          const dot = c.qualified.lastIndexOf(".");
          if (dot < 0) continue;
          const recv = c.qualified.slice(0, dot);
          const method = c.qualified.slice(dot + 1);
          if (tainted.has(recv) && DB_METHODS.has(method)) {
            hits.push(c);
            if (method === "cursor" && c.boundTo) tainted.add(c.boundTo);
          }
        }
        const first = hits[0];
        if (!first) continue;
        const others = hits.slice(1, 4).map((h) => h.line);
        drafts.push({
          confidence: "high" as const,
          message: `${code(`${first.raw}()`, 80)} is a synchronous database call inside ${code(`async def ${first.asyncDef ?? ""}`, 80)}: it blocks the event loop for the whole query${others.length ? ` (so do lines ${others.join(", ")})` : ""}. Run it in a thread (\`await asyncio.to_thread(...)\`, \`await trio.to_thread.run_sync(...)\`, \`anyio.to_thread.run_sync\`) or use an async driver (aiomysql, asyncmy, \`mysql.connector.aio\`, psycopg 3 async, aiosqlite).`,
          line: first.line,
          column: first.column,
          endLine: first.endLine,
          endColumn: first.endColumn,
          evidenceLines: hits.slice(0, 4).map((h) => h.line),
          evidence: hits.slice(0, 4).map((h) => codeEvidence(facts, h.line)),
        });
      }
      return drafts;
    },
  },
};

export default rule;
