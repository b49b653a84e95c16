import { codeEvidence, GEVENT_WORDS, geventPatches, patcher, snippetFinding } from "../knowledge.js";
import { code } from "../md.js";
import type { Rule } from "../rule.js";
import { findSentence, sentenceEvidence } from "../text/evidence.js";
import type { Replacement } from "../types.js";
import { BLOCKING_WORDS } from "./gevent-psycopg2.js";

const CEXT_WORDS = [
  "mysqlclient",
  "mysqldb",
  "libmysqlclient",
  "_mysql",
  "cmysqlconnection",
  "connection_cext",
  "use_pure=false",
  "c extension",
];
const WAIT_WORDS = [...BLOCKING_WORDS, "wait", "one by one", "whole app", "entire application"];

/** Lines c.line..close.line with `use_pure=True` added as the last argument. */
function addUsePure(
  lines: string[],
  start: number,
  close: { line: number; column: number },
): Replacement | undefined {
  const out: string[] = [];
  for (let l = start; l <= close.line; l++) out.push(lines[l - 1] ?? "");
  const last = out.length - 1;
  const parenLine = out[last] ?? "";
  const before = parenLine.slice(0, close.column);
  if (before.trim() === "") {
    // Closing paren on its own line: add an argument line above it, like the others.
    if (last === 0) return undefined;
    const prev = out[last - 1] ?? "";
    const indent = prev.slice(0, prev.length - prev.trimStart().length);
    const prevTrim = prev.trimEnd();
    if (prevTrim.endsWith("#") || prevTrim.includes("#")) return undefined; // a comment we would have to step around
    out[last - 1] = prevTrim.endsWith(",") || prevTrim.endsWith("(") ? prevTrim : `${prevTrim},`;
    out.splice(last, 0, `${indent}use_pure=True,`);
  } else {
    const trimmed = before.trimEnd();
    const sep = trimmed.endsWith("(") ? "" : trimmed.endsWith(",") ? " " : ", ";
    out[last] = `${trimmed}${sep}use_pure=True${parenLine.slice(close.column)}`;
  }
  return { startLine: start, endLine: close.line, text: out.join("\n") };
}

const rule: Rule = {
  id: "mysql-cext-under-gevent",
  title: "libmysqlclient-based MySQL driver under gevent",
  issue: {
    detect(ev) {
      const p = patcher(ev);
      if (p === null || p.patcher !== "gevent") return null;
      const snip = snippetFinding(ev, rule.id);
      if (snip !== null) {
        return {
          rule: rule.id,
          confidence: "medium",
          message: "The code shown uses a libmysqlclient-based driver in a gevent-patched program.",
          evidence: [snip],
        };
      }
      const s = findSentence(ev, [CEXT_WORDS, [...GEVENT_WORDS, "green thread"], WAIT_WORDS]);
      if (s === null) return null;
      return {
        rule: rule.id,
        confidence: "medium",
        message: "A libmysqlclient-based driver blocks the gevent hub during queries.",
        evidence: [sentenceEvidence(s), { kind: "text", text: p.because }],
      };
    },
    explain() {
      return {
        summary:
          "The MySQL driver does its network I/O in C (libmysqlclient), so under gevent every query blocks all greenlets: no error, the app just stalls while a query runs.",
        cause: [
          "mysqlclient (`MySQLdb`) and mysql-connector-python's C extension (its default since 8.0.11, `use_pure=False`) talk to the server from inside libmysqlclient. gevent can only make Python sockets cooperative, so while one greenlet waits for a query (or a row lock), no other greenlet runs.",
          "Pure-Python drivers (PyMySQL, mysql-connector with `use_pure=True`) use Python sockets and cooperate with gevent.",
        ],
        fixes: [
          "With mysql-connector-python, force the pure-Python implementation: `mysql.connector.connect(..., use_pure=True)`.",
          "Or switch to PyMySQL (`pip install PyMySQL`; with SQLAlchemy use a `mysql+pymysql://` URL; for code that imports MySQLdb, `import pymysql; pymysql.install_as_MySQLdb()` before it).",
          "If you must keep the C driver, run queries in gevent's threadpool (`gevent.get_hub().threadpool.apply(...)`) so they block a real thread instead of the hub.",
        ],
      };
    },
  },
  code: {
    detect(facts) {
      const patch = geventPatches(facts)[0];
      if (!patch) return [];
      const drafts = [];
      for (const c of facts.calls) {
        if (c.qualified !== "mysql.connector.connect" && c.qualified !== "mysql.connector.Connect") continue;
        if (c.hasStarArgs) continue; // options may come from a dict we cannot see
        const pure = c.kwargs.get("use_pure");
        if (pure === "True") continue;
        let fix: Replacement | undefined;
        if (pure === undefined && c.closeParen !== null) fix = addUsePure(facts.lines, c.line, c.closeParen);
        drafts.push({
          confidence: "high" as const,
          message: `${code(`${c.raw}()`, 80)} uses the C extension by default (\`use_pure=False\` since 8.0.11), which blocks the gevent hub (patched on line ${patch.line}) for every query. Pass \`use_pure=True\`.`,
          line: c.line,
          column: c.column,
          endLine: fix ? fix.endLine : c.endLine,
          endColumn: c.endColumn,
          evidenceLines: [c.line, patch.line],
          evidence: [codeEvidence(facts, c.line), codeEvidence(facts, patch.line)],
          ...(fix ? { fix } : {}),
        });
      }
      const imp = facts.imports.find(
        (i) =>
          !i.inTypeChecking &&
          (i.module === "MySQLdb" || i.module.startsWith("MySQLdb.") || i.module === "_mysql"),
      );
      if (imp) {
        drafts.push({
          confidence: "high" as const,
          message: `\`MySQLdb\` (mysqlclient) runs its I/O in libmysqlclient, which blocks the gevent hub (patched on line ${patch.line}) for every query. Use PyMySQL, or run queries in gevent's threadpool.`,
          line: imp.line,
          column: imp.column,
          endLine: imp.endLine,
          endColumn: imp.endColumn,
          evidenceLines: [imp.line, patch.line],
          evidence: [codeEvidence(facts, imp.line), codeEvidence(facts, patch.line)],
        });
      }
      return drafts;
    },
  },
};

export default rule;
