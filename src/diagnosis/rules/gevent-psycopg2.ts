import { inRange, patcher, versionOf } from "../knowledge.js";
import type { Rule } from "../rule.js";
import { findSentence, sentenceEvidence } from "../text/evidence.js";

export const PSYCOPG_WORDS = ["psycopg", "psycopg2", "psycogreen"];
export const BLOCKING_WORDS = [
  "block",
  "cooperat",
  "concurren",
  "serializ",
  "serialis",
  "one at a time",
  "not natively compatible",
  "not compatible",
  "incompatib",
  "freez",
  "hang",
  "stall",
];

const rule: Rule = {
  id: "gevent-psycopg2",
  title: "psycopg2 blocks the gevent hub",
  issue: {
    detect(ev) {
      const p = patcher(ev);
      if (p === null || p.patcher !== "gevent") return null;
      // psycopg 3 has its own rule (and cooperates by itself from 3.1.14).
      const v3 = versionOf(ev, "psycopg");
      if (v3 !== null && inRange(v3, "3", null)) return null;
      const s = findSentence(ev, [
        PSYCOPG_WORDS,
        ["gevent", "greenlet", "coroutine", "green thread"],
        BLOCKING_WORDS,
      ]);
      if (s === null) return null;
      return {
        rule: rule.id,
        confidence: "medium",
        message: "psycopg2's C code blocks the whole gevent process during queries.",
        evidence: [sentenceEvidence(s), { kind: "text", text: p.because }],
      };
    },
    explain() {
      return {
        summary:
          "psycopg2 talks to PostgreSQL from C (libpq), so under gevent every query blocks all greenlets until it returns: no error, just serialised requests.",
        cause: [
          "gevent makes Python-level sockets cooperative, but psycopg2's network I/O happens inside libpq, where gevent cannot see it. A greenlet running a query holds the only OS thread until the query finishes, so concurrent requests wait in line.",
          "psycopg2 exposes a wait callback hook for this; psycogreen installs a gevent-aware one.",
        ],
        fixes: [
          "Install psycogreen and patch psycopg2 right after gevent:\n\n```python\nfrom gevent import monkey\nmonkey.patch_all()\n\nfrom psycogreen.gevent import patch_psycopg\npatch_psycopg()\n```\n\nWith gunicorn's gevent worker, do this in a `post_fork` hook or at the top of the WSGI module.",
          "Or move to psycopg 3 ≥ 3.1.14, which cooperates with gevent by itself.",
          "Size the database pool for concurrent greenlets, and never share one connection between greenlets.",
        ],
      };
    },
  },
};

export default rule;
