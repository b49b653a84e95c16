import { defineRule } from "../rule.js";
import { findSentence, sentenceEvidence } from "../text/evidence.js";
import { inRange, versionOf } from "../text/versions.js";
import { BLOCKING_WORDS } from "../text/vocabulary.js";
import { errorShown } from "./shared/evidence.js";
import { onDependency, patchWords, projectPatch } from "./shared/manifest.js";
import { PSYCOGREEN, PSYCOPG3 } from "./shared/mentions.js";
import { geventPatcher } from "./shared/patcher.js";

const PSYCOPG_WORDS = ["psycopg", "psycopg2", "psycogreen"];

export default defineRule({
  id: "gevent-psycopg2",
  order: 90,
  title: "psycopg2 blocks the gevent hub",
  needs: { words: PSYCOPG_WORDS },
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
      if (s === null) return null;
      return {
        confidence: "medium",
        message: "psycopg2's C code blocks the whole gevent process during queries.",
        evidence: [sentenceEvidence(s), { kind: "text", text: p.because }],
      };
    },
    explain(ev) {
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
        text: "Install psycogreen and patch psycopg2 right after gevent (with gunicorn's gevent worker: in a `post_fork` hook or at the top of the WSGI module):",
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
    detect(p) {
      const run = projectPatch(p, "gevent");
      const dep = p.deps.entry("psycopg2") ?? p.deps.entry("psycopg2-binary");
      if (!run || !dep || dep.constraint || p.deps.has("psycogreen")) return [];
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
    what: 'A sentence naming psycopg/psycopg2/psycogreen together with gevent (or greenlets, coroutines, green threads) and blocking/cooperation words ("blocks", "doesn\'t cooperate", "not compatible", "concurrently") in a gevent report — `medium` (there is no error text to match).\n\nManifests: `psycopg2` or `psycopg2-binary` in a project that runs patched by gevent (a run config or a module-level patch) with no `psycogreen` dependency — `medium`, on the psycopg2 line.',
    why: "psycopg2's network I/O happens inside libpq, in C, where gevent cannot make it cooperative: a query holds the only OS thread until it returns.",
    notMatched: "Reports that state psycopg ≥ 3 (see [gevent-psycopg3-cext](gevent-psycopg3-cext.md)).",
  },
});
