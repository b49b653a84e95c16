import { codeEvidence } from "../knowledge.js";
import type { Rule } from "../rule.js";
import type { Replacement } from "../types.js";

const IMPORT_ERRORS = new Set(["ImportError", "ModuleNotFoundError"]);

/** Rewrite `except ImportError:` to also catch what a patched `import trio` raises. */
function widenHeader(line: string): string | null {
  const at = line.indexOf("except");
  if (at < 0) return null;
  const colon = line.indexOf(":", at);
  if (colon < 0) return null;
  let head = line.slice(at + 6, colon).trim();
  let alias = "";
  const as = head.indexOf(" as ");
  if (as >= 0) {
    alias = head.slice(as);
    head = head.slice(0, as).trim();
  }
  const names = head
    .replace(/^\(|\)$/g, "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length === 0) return null;
  for (const extra of ["NotImplementedError", "AttributeError"])
    if (!names.includes(extra)) names.push(extra);
  return `${line.slice(0, at)}except (${names.join(", ")})${alias}${line.slice(colon)}`;
}

const rule: Rule = {
  id: "trio-import-unguarded",
  title: "optional trio import guarded only by ImportError",
  code: {
    detect(facts) {
      const drafts = [];
      for (const imp of facts.imports) {
        if (!(imp.module === "trio" || imp.module.startsWith("trio."))) continue;
        if (!imp.moduleLevel || imp.inTypeChecking || imp.inTry === null) continue;
        const t = imp.inTry;
        if (t.catches.length === 0 || !t.catches.every((c) => IMPORT_ERRORS.has(c))) continue;
        const exceptText = facts.lines[t.exceptLine - 1] ?? "";
        const widened = widenHeader(exceptText);
        const fix: Replacement | undefined = widened
          ? { startLine: t.exceptLine, endLine: t.exceptLine, text: widened }
          : undefined;
        drafts.push({
          confidence: "high" as const,
          message: `This optional \`import trio\` (line ${imp.line}) is guarded only against \`ImportError\`. Under gevent or eventlet patching, \`import trio\` raises \`NotImplementedError\` (macOS) or \`AttributeError\` (Linux) instead, and your users' programs crash. Catch those too, or import trio lazily.`,
          line: t.exceptLine,
          column: 1,
          endLine: t.exceptLine,
          endColumn: exceptText.length + 1,
          evidenceLines: [t.exceptLine, imp.line],
          evidence: [codeEvidence(facts, imp.line), codeEvidence(facts, t.exceptLine)],
          ...(fix ? { fix } : {}),
        });
        break;
      }
      return drafts;
    },
  },
};

export default rule;
