/** SARIF 2.1.0 output for code findings (accepted by GitHub code scanning). */
import { DEFAULT_DOCS_BASE } from "./render.js";
import { RULES } from "./rules/index.js";
import type { CodeFinding } from "./types.js";

export function toSarif(findings: CodeFinding[], version: string, docsBase = DEFAULT_DOCS_BASE): object {
  const rules = RULES.filter((r) => r.code).map((r) => ({
    id: r.id,
    name: r.id
      .split("-")
      .map((w) => (w[0]?.toUpperCase() ?? "") + w.slice(1))
      .join(""),
    shortDescription: { text: r.title },
    helpUri: `${docsBase}${r.id}.md`,
    defaultConfiguration: { level: "warning" },
  }));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "async-doctor",
            version,
            informationUri: "https://github.com/async-doctor/async-doctor",
            rules,
          },
        },
        results: findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: index.get(f.rule) ?? 0,
          level: f.confidence === "high" ? "warning" : "note",
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: {
                  uri: f.file.replace(/\\/g, "/").replace(/^\.\//, ""),
                  uriBaseId: "%SRCROOT%",
                },
                region: {
                  startLine: f.line,
                  startColumn: f.column,
                  endLine: f.endLine,
                  endColumn: f.endColumn,
                },
              },
            },
          ],
          partialFingerprints: { "asyncDoctorFinding/v1": f.fingerprint },
        })),
        columnKind: "utf16CodeUnits",
      },
    ],
  };
}
