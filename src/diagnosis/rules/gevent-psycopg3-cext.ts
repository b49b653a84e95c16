import { inRange, patcher, versionOf } from "../knowledge.js";
import { code } from "../md.js";
import type { Rule } from "../rule.js";
import { findSentence, sentenceEvidence } from "../text/evidence.js";
import { BLOCKING_WORDS } from "./gevent-psycopg2.js";

const rule: Rule = {
  id: "gevent-psycopg3-cext",
  title: "psycopg 3.1.5 – 3.1.13 C speedups block gevent",
  issue: {
    detect(ev) {
      const p = patcher(ev);
      if (p === null || p.patcher !== "gevent") return null;
      const v = versionOf(ev, "psycopg") ?? versionOf(ev, "psycopg-c");
      if (!inRange(v, "3.1.5", "3.1.13")) return null;
      const s = findSentence(ev, [["psycopg", "database", "queries", "query", "postgres"], BLOCKING_WORDS]);
      if (s === null) return null;
      return {
        rule: rule.id,
        confidence: "medium",
        message: "psycopg 3.1.5 – 3.1.13 with C speedups does not cooperate with gevent.",
        evidence: [
          sentenceEvidence(s),
          { kind: "version", text: `psycopg ${v}`, line: ev.context.versions.get("psycopg")?.textLine },
        ],
      };
    },
    explain(_f, ev) {
      const v = versionOf(ev, "psycopg") ?? versionOf(ev, "psycopg-c") ?? "3.1.x";
      return {
        summary: `psycopg ${code(v, 20)} with its C speedups waits for the server in C, so under gevent queries block every other greenlet.`,
        cause: [
          "psycopg 3 is designed to cooperate with gevent, but releases 3.1.5 to 3.1.13 with the C implementation (`psycopg[c]` or `psycopg-c`) wait on the connection in C code that gevent cannot see. Nothing fails; requests just queue up behind each query.",
        ],
        fixes: [
          'Upgrade: `pip install -U "psycopg>=3.1.14"` (and `psycopg-c` / `psycopg[c]` to the same version).',
          "Until you can upgrade, use the pure-Python implementation: set `PSYCOPG_IMPL=python` in the environment.",
        ],
      };
    },
  },
};

export default rule;
