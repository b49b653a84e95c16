import { append } from "../append.js";
import { literal } from "../inline.js";
import { versionIn } from "../project/dependencies.js";
import { CONNECTOR_CEXT_DEFAULT } from "../project/knowledge.js";
import {
  defineRule,
  type IssueEvidence,
  type ProjectFacts,
  type ProjectFindingDraft,
  type ProjectPatch,
} from "../rule.js";
import { findSentence, sentenceEvidence } from "../text/evidence.js";
import { BLOCKING_WORDS, GEVENT_WORDS } from "../text/vocabulary.js";
import type { Replacement } from "../types.js";
import { errorShown, snippetFinding } from "./shared/evidence.js";
import { onDependency, patchWords, projectPatch } from "./shared/manifest.js";
import { PYMYSQL, THREADPOOL, USE_PURE } from "./shared/mentions.js";
import { geventPatcher, needs, PATCH_NEEDS, PATCHER_NEEDLES } from "./shared/patcher.js";
import { onPatch, patchedWhere, processPatch } from "./shared/process.js";

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
const CONNECTS = ["mysql.connector.connect", "mysql.connector.Connect"];

const usesMysqlclient = (ev: IssueEvidence) =>
  ev.lower.some((l) => l.includes("mysqldb") || l.includes("mysqlclient") || l.includes("_mysql."));
const usesConnector = (ev: IssueEvidence) =>
  ev.lower.some(
    (l) => l.includes("mysql.connector") || l.includes("mysql-connector") || l.includes("cmysqlconnection"),
  );

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
    if (prevTrim.includes("#")) return undefined; // a comment we would have to step around
    out[last - 1] = prevTrim.endsWith(",") || prevTrim.endsWith("(") ? prevTrim : `${prevTrim},`;
    out.splice(last, 0, `${indent}use_pure=True,`);
  } else {
    const trimmed = before.trimEnd();
    const sep = trimmed.endsWith("(") ? "" : trimmed.endsWith(",") ? " " : ", ";
    out[last] = `${trimmed}${sep}use_pure=True${parenLine.slice(close.column)}`;
  }
  return { startLine: start, endLine: close.line, text: out.join("\n") };
}

/**
 * mysql-connector-python declared in a project that runs patched by gevent, whose code connects
 * without `use_pure` (the calls the caller saw): the C extension is the default from 8.0.11.
 */
function connectorFinding(p: ProjectFacts, run: ProjectPatch): ProjectFindingDraft[] {
  const dep = p.deps.entry("mysql-connector-python");
  if (!dep || dep.constraint) return [];
  const v = p.deps.version("mysql-connector-python");
  if (v && versionIn(v.version, `<${CONNECTOR_CEXT_DEFAULT}`) === true) return [];
  const calls = (p.calls ?? []).filter(
    (c) => CONNECTS.includes(c.qualified) && !c.kwargs.includes("use_pure") && !c.hasStarArgs,
  );
  const first = calls[0];
  if (!first) return [];
  const more = calls.length > 1 ? ` (and ${calls.length - 1} more)` : "";
  const d = onDependency(
    p,
    dep,
    run,
    `mysql-connector-python uses its C extension by default (since ${CONNECTOR_CEXT_DEFAULT}), which blocks the gevent hub for every query, and this project runs patched by ${patchWords(run)}: ${literal(first.file, 120)} line ${first.line} connects without \`use_pure=True\`${more}. Pass \`use_pure=True\` to \`connect()\`, or use PyMySQL.`,
    { also: calls.slice(0, 5).map((c) => ({ kind: "text", text: `${c.file}:${c.line}: ${c.text}` })) },
  );
  return [{ ...d, restsOn: calls.map((c) => ({ file: c.file, line: c.line })) }];
}

/**
 * mysqlclient in a project that eventlet patches (a gunicorn eventlet worker, `-P eventlet`, a
 * module-level `monkey_patch()`): eventlet leaves MySQLdb alone unless asked, so its C I/O blocks
 * the hub (lab cases mysqldb-blocks-eventlet, fix-pymysql-eventlet). The C connector under eventlet
 * is not claimed: the lab has not run it.
 */
function eventletRun(p: ProjectFacts): ProjectFindingDraft[] {
  const run = projectPatch(p, "eventlet");
  const dep = run ? p.deps.entry("mysqlclient") : null;
  if (!run || !dep || dep.constraint) return [];
  return [
    onDependency(
      p,
      dep,
      run,
      `mysqlclient (\`MySQLdb\`) runs its I/O in libmysqlclient, and this project runs patched by ${patchWords(run)}: \`eventlet.monkey_patch()\` leaves MySQLdb alone by default, so every query blocks the eventlet hub. Use PyMySQL (\`pymysql.install_as_MySQLdb()\` serves code written for MySQLdb).`,
    ),
  ];
}

export default defineRule({
  id: "mysql-cext-under-gevent",
  order: 110,
  title: "libmysqlclient-based MySQL driver under gevent",
  needs: needs(PATCH_NEEDS, {
    source: [PATCHER_NEEDLES, ["mysql", "MySQLdb", "_mysql"]],
    calls: CONNECTS,
    words: ["mysql", ...CEXT_WORDS],
  }),
  issue: {
    detect(ev) {
      const p = geventPatcher(ev);
      if (p === null) return null;
      const snip = snippetFinding(ev, "mysql-cext-under-gevent");
      if (snip !== null) {
        return {
          confidence: "medium",
          message: "The code shown uses a libmysqlclient-based driver in a gevent-patched program.",
          evidence: snip,
        };
      }
      const s = findSentence(ev, [CEXT_WORDS, [...GEVENT_WORDS, "green thread"], WAIT_WORDS]);
      if (s === null) return null;
      return {
        confidence: "medium",
        message: "A libmysqlclient-based driver blocks the gevent hub during queries.",
        evidence: [sentenceEvidence(s), { kind: "text", text: p.because }],
      };
    },
    explain(ev) {
      return {
        summary: `The MySQL driver does its network I/O in C (libmysqlclient), so under gevent every query blocks all greenlets${errorShown(ev) ? " while it runs" : ": no error, the app just stalls while a query runs"}.`,
        cause: [
          "mysqlclient (`MySQLdb`) and mysql-connector-python's C extension (its default since 8.0.11, `use_pure=False`) talk to the server from inside libmysqlclient. gevent can only make Python sockets cooperative, so while one greenlet waits for a query (or a row lock), no other greenlet runs.",
          "Pure-Python drivers (PyMySQL, mysql-connector with `use_pure=True`) use Python sockets and cooperate with gevent.",
        ],
      };
    },
    answered: [["use_pure", "pymysql", "libmysqlclient", "c extension", "mysqlclient"]],
    fixes: [
      {
        id: "use-pure",
        mentioned: USE_PURE,
        verified: { lab: ["mysql-connector-cext-blocks-gevent", "fix-mysql-connector-use-pure"] },
        // mysqlclient users have no `use_pure` to set.
        when: (ev) => usesConnector(ev) || !usesMysqlclient(ev),
        whenDoc: "the report uses mysql-connector-python (or does not show mysqlclient)",
        text: "With mysql-connector-python, force the pure-Python implementation: `mysql.connector.connect(..., use_pure=True)`.",
      },
      {
        id: "pymysql",
        mentioned: PYMYSQL,
        verified: { lab: ["mysqldb-blocks-gevent", "fix-pymysql"] },
        lead: (ev) => usesMysqlclient(ev) && !usesConnector(ev),
        recommends: ["pymysql"],
        text: "Switch to PyMySQL (`pip install PyMySQL`; with SQLAlchemy use a `mysql+pymysql://` URL; for code that imports MySQLdb, `import pymysql; pymysql.install_as_MySQLdb()` before it).",
      },
      {
        id: "threadpool",
        mentioned: THREADPOOL,
        verified: { lab: ["fix-gevent-threadpool-mysqldb"] },
        text: "If you must keep the C driver, run queries in gevent's threadpool (`gevent.get_hub().threadpool.apply(...)`) so they block a real thread instead of the hub.",
      },
    ],
  },
  code: {
    detect(facts) {
      const patch = processPatch(facts, "gevent");
      if (!patch) return [];
      const drafts = [];
      for (const c of facts.calls) {
        if (!CONNECTS.includes(c.qualified) || c.hasStarArgs) continue; // options may come from a dict we cannot see
        const pure = c.kwargs.get("use_pure");
        if (pure === "True") continue;
        const fix =
          pure === undefined && c.closeParen !== null
            ? addUsePure(facts.lines, c.line, c.closeParen)
            : undefined;
        drafts.push(
          onPatch(
            facts,
            c,
            patch,
            `${literal(`${c.raw}()`, 80)} uses the C extension by default (\`use_pure=False\` since 8.0.11), which blocks the gevent hub (patched ${patchedWhere(patch)}) for every query. Pass \`use_pure=True\`.`,
            fix ? { fix, endLine: fix.endLine } : {},
          ),
        );
      }
      const imp = facts.imports.find(
        (i) =>
          !i.inTypeChecking &&
          (i.module === "MySQLdb" || i.module.startsWith("MySQLdb.") || i.module === "_mysql"),
      );
      if (imp)
        drafts.push(
          onPatch(
            facts,
            imp,
            patch,
            `\`MySQLdb\` (mysqlclient) runs its I/O in libmysqlclient, which blocks the gevent hub (patched ${patchedWhere(patch)}) for every query. Use PyMySQL, or run queries in gevent's threadpool.`,
          ),
        );
      return drafts;
    },
  },
  project: {
    calls: CONNECTS,
    callsMatterWith: ["mysql-connector-python"],
    detect(p) {
      const run = projectPatch(p, "gevent");
      if (!run) return eventletRun(p);
      const out: ProjectFindingDraft[] = [];
      const dep = p.deps.entry("mysqlclient");
      if (dep && !dep.constraint)
        out.push(
          onDependency(
            p,
            dep,
            run,
            `mysqlclient (\`MySQLdb\`) runs its I/O in libmysqlclient, and this project runs patched by ${patchWords(run)}: every query blocks the gevent hub. Use PyMySQL (\`pymysql.install_as_MySQLdb()\` serves code written for MySQLdb), or run queries in gevent's threadpool.`,
          ),
        );
      append(out, connectorFinding(p, run));
      return out;
    },
  },
  docs: {
    upstream: [
      { name: "mysqlclient#464", url: "https://github.com/PyMySQL/mysqlclient/issues/464" },
      {
        name: "Connector/Python use_pure",
        url: "https://dev.mysql.com/doc/connector-python/en/connector-python-connectargs.html",
      },
    ],
    what: `Issues:

- A snippet with the code pattern — \`medium\`.
- A sentence naming mysqlclient/MySQLdb/libmysqlclient/the C extension with gevent/greenlets and blocking/waiting words — \`medium\`.

Code: a gevent patch in the file and \`mysql.connector.connect(...)\` without \`use_pure=True\` (no finding when options come from \`**kwargs\`), or \`import MySQLdb\`. For \`connect\` calls without \`use_pure\`, the review suggests the exact edit adding \`use_pure=True\`. A module that a run config loads patched (gunicorn's gevent worker, celery's gevent pool, uWSGI's gevent loop) counts as patched, at \`medium\`.

Manifests: \`mysqlclient\` in a project that runs patched by gevent, or by eventlet (whose \`monkey_patch()\` leaves MySQLdb alone by default: lab case mysqldb-blocks-eventlet; PyMySQL cooperates: fix-pymysql-eventlet) — \`medium\`, on its line. \`mysql-connector-python\` (unless pinned or locked below 8.0.11, before the C extension became the default) in such a project whose code calls \`mysql.connector.connect()\` without \`use_pure\` — \`medium\`, on its line, naming the calls; dropped when the code findings already report every such call (a folder scan sees them all; a pull request sees its changed modules, plus the modules GitHub's code search finds calling \`mysql.connector\` when the PR adds the package).`,
    why: "mysqlclient (`MySQLdb`) and mysql-connector-python's C extension (the default since 8.0.11) do their network I/O inside libmysqlclient, which gevent cannot make cooperative: every query blocks the whole hub.",
    example: {
      lang: "python",
      code: 'from gevent import monkey\nmonkey.patch_all()\n\nimport mysql.connector\n\ncnx = mysql.connector.connect(user="app")  # <- reported here',
    },
    notMatched:
      'Pure-Python mysql-connector (`mysql/connector/connection.py`) errors such as "This event is already used by another greenlet" (a connection shared between greenlets), and PyMySQL, which works under gevent.',
  },
});
