import { codeEvidence } from "../knowledge.js";
import type { Rule } from "../rule.js";

const rule: Rule = {
  id: "gevent-trio-same-process",
  title: "trio and gevent/eventlet in one process",
  code: {
    detect(facts) {
      const patch = facts.patches[0];
      if (!patch) return [];
      const imp = facts.imports.find(
        (i) => !i.inTypeChecking && (i.module === "trio" || i.module.startsWith("trio.")),
      );
      const run = facts.calls.find((c) => c.qualified === "trio.run");
      const at = imp ?? run;
      if (!at) return [];
      const who = patch.kind === "gevent" ? "gevent" : "eventlet";
      const before = at.line < patch.line;
      return [
        {
          confidence: "high",
          message: before
            ? `trio is imported before ${who} patches (line ${patch.line}). That only avoids the import-time crash: \`trio.run()\` still fails in a patched process. Keep trio and ${who} in separate processes.`
            : `trio is used in a process patched by ${who} (line ${patch.line}): its import fails (\`unsupported platform\` on macOS, \`select.epoll\` missing on Linux) and \`trio.run()\` cannot work. Keep trio and ${who} in separate processes.`,
          line: at.line,
          column: at.column,
          endLine: at.endLine,
          endColumn: at.endColumn,
          evidenceLines: [at.line, patch.line],
          evidence: [codeEvidence(facts, at.line), codeEvidence(facts, patch.line)],
        },
      ];
    },
  },
};

export default rule;
