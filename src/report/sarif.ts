/** SARIF 2.1.0 output for code findings (accepted by GitHub code scanning). */
import { CATALOG } from "../diagnosis/catalog.js";
import type { CodeFinding } from "../diagnosis/types.js";
import { HOMEPAGE, type RenderOptions, ruleDocUrl } from "./links.js";

export function toSarif(findings: CodeFinding[], version: string, opts: RenderOptions = {}): object {
  const rules = CATALOG.filter((r) => r.kinds.includes("code")).map((r) => ({
    id: r.id,
    name: r.id
      .split("-")
      .map((w) => (w[0]?.toUpperCase() ?? "") + w.slice(1))
      .join(""),
    shortDescription: { text: r.title },
    helpUri: ruleDocUrl(r.id, opts),
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
            informationUri: HOMEPAGE,
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
