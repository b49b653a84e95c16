import { defineRule, type IssueEvidence } from "../rule.js";
import { findSentence, mentions, sentenceEvidence } from "../text/evidence.js";
import { inRange, versionOf } from "../text/versions.js";
import { BLOCKING_WORDS } from "../text/vocabulary.js";
import { errorShown } from "./shared/evidence.js";
import { onDependency, patchWords, projectPatch } from "./shared/manifest.js";
import { PSYCOGREEN, PSYCOPG3 } from "./shared/mentions.js";
import { geventPatcher } from "./shared/patcher.js";

const PSYCOPG_WORDS = ["psycopg", "psycopg2", "psycogreen"];
/** Drivers that are not psycopg2: a report naming one is not about psycopg2. */
const OTHER_PG_DRIVERS = ["asyncpg", "pg8000", "psycopg3", "psycopg 3", "psycopg[", "py-postgresql"];

/** PostgreSQL named with Django or SQLAlchemy (psycopg2 their usual driver), and no other driver. */
function inferredDriver(ev: IssueEvidence): boolean {
  return (
    (mentions(ev, "postgres") || mentions(ev, "postgresql")) &&
    (mentions(ev, "django") || mentions(ev, "sqlalchemy") || mentions(ev, "transaction.atomic")) &&
    !OTHER_PG_DRIVERS.some((d) => mentions(ev, d))
  );
}

const PATCH_PSYCOPG = "psycogreen.gevent.patch_psycopg";

export default defineRule({
  id: "gevent-psycopg2",
  order: 90,
  title: "psycopg2 blocks the gevent hub",
  needs: { words: [...PSYCOPG_WORDS, "postgres"] },
  issue: {
    detect(ev) {
      const p = geventPatcher(ev);
      if (p === null) return null;
      // psycopg 3 is another driver (it cooperates by itself from 3.1.14).
      if (inRange(versionOf(ev, "psycopg"), "3", null)) return null;
      const s = findSentence(ev, [
        PSYCOPG_WORDS,
        ["gevent", "greenlet", "coroutine", "green thread"],
        BLOCKING_WORDS,
      ]);
      if (s !== null)
        return {
          confidence: "medium",
          message: "psycopg2's C code blocks the whole gevent process during queries.",
          evidence: [sentenceEvidence(s), { kind: "text", text: p.because }],
        };
      // PostgreSQL named, no driver: psycopg2 is Django's and SQLAlchemy's usual one (inferred, said so).
      if (!inferredDriver(ev)) return null;
      const frozen = findSentence(ev, [["freez", "hang", "stall", "stuck", "block"]]);
      if (frozen === null) return null;
      return {
        confidence: "medium",
        message:
          "A gevent worker that freezes on PostgreSQL: the usual driver, psycopg2, blocks the hub during queries.",
        evidence: [sentenceEvidence(frozen), { kind: "text", text: p.because }],
      };
    },
    explain(ev) {
      if (inferredDriver(ev) && !PSYCOPG_WORDS.some((w) => mentions(ev, w)))
        return {
          summary:
            "The report names Postgres but not its driver: if it is psycopg2 (Django's and SQLAlchemy's usual one), every query blocks all greenlets, so one waiting on a lock freezes the worker.",
          cause: [
            "psycopg2's network I/O happens inside libpq, where gevent cannot see it: a greenlet in a query holds the only OS thread. psycogreen installs a gevent-aware wait callback.",
          ],
        };
      return {
        summary: `psycopg2 talks to PostgreSQL from C (libpq), so under gevent every query blocks all greenlets until it returns${errorShown(ev) ? "" : ": no error, just serialised requests"}.`,
        cause: [
          "gevent makes Python-level sockets cooperative, but psycopg2's network I/O happens inside libpq, where gevent cannot see it. A greenlet running a query holds the only OS thread until the query finishes, so concurrent requests wait in line.",
          "psycopg2 exposes a wait callback hook for this; psycogreen installs a gevent-aware one.",
        ],
      };
    },
    answered: [["psycogreen", "wait_callback", "wait callback"]],
    fixes: [
      {
        id: "psycogreen",
        mentioned: PSYCOGREEN,
        verified: { lab: ["psycopg2-blocks-gevent", "fix-psycogreen"] },
        recommends: ["psycogreen"],
        text: (ev) => {
          const via = geventPatcher(ev)?.via;
          const where =
            via === "gunicorn"
              ? " (with gunicorn's gevent worker: in a `post_fork` hook or at the top of the WSGI module)"
              : via === "celery"
                ? " (celery's gevent pool patches first: call it at the top of the module the worker loads)"
                : "";
          return `Install psycogreen and patch psycopg2 right after gevent${where}:`;
        },
        doc: "Install psycogreen and patch psycopg2 right after gevent (with a worker that patches for you, gunicorn's or celery's, at the top of the module it loads; gunicorn also offers a `post_fork` hook):",
        code: "from gevent import monkey\nmonkey.patch_all()\n\nfrom psycogreen.gevent import patch_psycopg\npatch_psycopg()",
      },
      {
        id: "psycopg3",
        mentioned: PSYCOPG3,
        verified: { lab: ["psycopg3-cooperates"] },
        text: "Move to psycopg 3 ≥ 3.1.14, which cooperates with gevent by itself.",
      },
      {
        id: "pool-size",
        verified: {
          source:
            "psycopg2's documentation: a connection is not safe to share between greenlets (https://www.psycopg.org/docs/advanced.html#support-for-coroutine-libraries)",
        },
        text: "Size the database pool for concurrent greenlets, and never share one connection between greenlets.",
      },
    ],
  },
  project: {
    calls: [PATCH_PSYCOPG],
    callsMatterWith: ["psycogreen"],
    detect(p) {
      const run = projectPatch(p, "gevent");
      const dep = p.deps.entry("psycopg2") ?? p.deps.entry("psycopg2-binary");
      if (!run || !dep || dep.constraint) return [];
      if (p.deps.has("psycogreen")) {
        // Installed is not applied: with all the code read, say so when nothing calls it.
        if (!p.codeComplete || (p.calls ?? []).some((c) => c.qualified === PATCH_PSYCOPG)) return [];
        return [
          onDependency(
            p,
            dep,
            run,
            `psycopg2 talks to PostgreSQL from C (libpq), and this project runs patched by ${patchWords(run)}: psycogreen is installed, but nothing in the project calls \`psycogreen.gevent.patch_psycopg()\`, so every query still blocks the gevent hub. Call it right after patching (with gunicorn's gevent worker: in a \`post_fork\` hook).`,
          ),
        ];
      }
      return [
        onDependency(
          p,
          dep,
          run,
          `psycopg2 talks to PostgreSQL from C (libpq), and this project runs patched by ${patchWords(run)}: every query blocks the gevent hub, and no psycogreen is installed to make it cooperative. Add psycogreen and call \`patch_psycopg()\` right after patching, or move to psycopg ≥ 3.1.14.`,
        ),
      ];
    },
  },
  docs: {
    upstream: [
      { name: "psycogreen", url: "https://github.com/psycopg/psycogreen" },
      { name: "deis#492", url: "https://github.com/deis/deis/issues/492" },
    ],
    what: 'A sentence naming psycopg/psycopg2/psycogreen together with gevent (or greenlets, coroutines, green threads) and blocking/cooperation words ("blocks", "doesn\'t cooperate", "not compatible", "concurrently") in a gevent report — `medium` (there is no error text to match).\n\nManifests: `psycopg2` or `psycopg2-binary` in a project that runs patched by gevent (a run config or a module-level patch) with no `psycogreen` dependency — `medium`, on the psycopg2 line. In a folder scan (where all the code of the project is read), also when psycogreen is installed but nothing calls `psycogreen.gevent.patch_psycopg()`: installing it changes nothing (lab case psycopg2-blocks-gevent ran with psycogreen installed).',
    why: "psycopg2's network I/O happens inside libpq, in C, where gevent cannot make it cooperative: a query holds the only OS thread until it returns.",
    notMatched:
      "Reports that state psycopg ≥ 3 (see [gevent-psycopg3-cext](gevent-psycopg3-cext.md)); psycopg2 in a project patched by eventlet: `eventlet.monkey_patch()` makes psycopg2 green by itself (lab case psycopg2-cooperates-eventlet).",
  },
});
