import { literal } from "../inline.js";
import { PSYCOPG3_CEXT_BLOCKS, PSYCOPG3_FIXED } from "../project/knowledge.js";
import { defineRule, type IssueEvidence } from "../rule.js";
import { findSentence, sentenceEvidence } from "../text/evidence.js";
import { inRange, versionOf } from "../text/versions.js";
import { BLOCKING_WORDS } from "../text/vocabulary.js";
import { bumpPin, onDependency, patchWords, projectPatch, versionWords } from "./shared/manifest.js";
import { UPGRADE_PSYCOPG } from "./shared/mentions.js";
import { geventPatcher } from "./shared/patcher.js";

const psycopgVersion = (ev: IssueEvidence) => versionOf(ev, "psycopg") ?? versionOf(ev, "psycopg-c");

export default defineRule({
  id: "gevent-psycopg3-cext",
  order: 100,
  title: "psycopg 3.1.5 – 3.1.13 C speedups block gevent",
  needs: { words: ["psycopg"] },
  issue: {
    detect(ev) {
      if (geventPatcher(ev) === null) return null;
      const v = psycopgVersion(ev);
      if (!inRange(v, "3.1.5", "3.1.13")) return null;
      const s = findSentence(ev, [["psycopg", "database", "queries", "query", "postgres"], BLOCKING_WORDS]);
      if (s === null) return null;
      const stated = ev.context.versions.get("psycopg") ?? ev.context.versions.get("psycopg-c");
      return {
        confidence: "medium",
        message: "psycopg 3.1.5 – 3.1.13 with C speedups does not cooperate with gevent.",
        evidence: [sentenceEvidence(s), { kind: "version", text: `psycopg ${v}`, line: stated?.textLine }],
      };
    },
    explain(ev) {
      return {
        summary: `psycopg ${literal(psycopgVersion(ev) ?? "3.1.x", 20)} with its C speedups waits for the server in C, so under gevent queries block every other greenlet.`,
        cause: [
          "psycopg 3 is designed to cooperate with gevent, but releases 3.1.5 to 3.1.13 with the C implementation (`psycopg[c]` or `psycopg-c`) wait on the connection in C code that gevent cannot see. Nothing fails; requests just queue up behind each query.",
        ],
      };
    },
    answered: [["psycopg"], ["3.1.14", "psycopg_impl", "c implementation", "speedups"]],
    fixes: [
      {
        id: "upgrade-psycopg",
        mentioned: UPGRADE_PSYCOPG,
        verified: { lab: ["psycopg3-cooperates"] },
        text: 'Upgrade: `pip install -U "psycopg>=3.1.14"` (and `psycopg-c` / `psycopg[c]` to the same version).',
      },
      {
        id: "pure-python-impl",
        verified: {
          source:
            "psycopg 3's installation guide: PSYCOPG_IMPL selects the implementation (https://www.psycopg.org/psycopg3/docs/basic/install.html)",
        },
        text: "Until you can upgrade, use the pure-Python implementation: set `PSYCOPG_IMPL=python` in the environment.",
      },
    ],
  },
  project: {
    detect(p) {
      const run = projectPatch(p, "gevent");
      const d = p.deps;
      const v = d.version("psycopg") ?? d.version("psycopg-c");
      const cImpl = d.hasExtra("psycopg", "c") || d.has("psycopg-c");
      if (!run || !v || !cImpl || !d.inRange(v.name, PSYCOPG3_CEXT_BLOCKS)) return [];
      const dep = d.entry(v.name);
      if (!dep) return [];
      return [
        onDependency(
          p,
          dep,
          run,
          `${versionWords(v)} with the C implementation, which waits on the connection in C that gevent cannot see; this project runs patched by ${patchWords(run)}, so queries block every other greenlet. Upgrade psycopg (and psycopg-c) to ≥ ${PSYCOPG3_FIXED}.`,
          { confidence: "high", fix: bumpPin(p, dep, PSYCOPG3_FIXED) },
        ),
      ];
    },
  },
  docs: {
    upstream: [{ name: "psycopg 3 release notes", url: "https://www.psycopg.org/psycopg3/docs/news.html" }],
    what: "psycopg (or psycopg-c) version stated in 3.1.5 – 3.1.13, gevent patching in the report, and a sentence describing blocking or hanging queries — `medium`.\n\nManifests: psycopg or psycopg-c pinned or locked at 3.1.5 – 3.1.13 with the C implementation (`psycopg[c]` or `psycopg-c`) in a project that runs patched by gevent — `high`, with the edit to 3.1.14 for a pin.",
    why: "psycopg 3 cooperates with gevent by itself, except releases 3.1.5 – 3.1.13 with the C implementation, which wait on the connection in C.",
    notMatched: "psycopg 3.1.14 and later, psycopg 3 before 3.1.5, and reports with no version stated.",
  },
});
