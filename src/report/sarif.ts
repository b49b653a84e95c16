/**
 * SARIF 2.1.0 for code and manifest findings, with what GitHub code scanning reads: per rule a
 * short and full description, help (text and Markdown, the rule's page), precision, severity
 * and tags; URIs relative to `%SRCROOT%` (the folder the scan ran from); skipped files as
 * notifications of the invocation.
 */
import { isAbsolute, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { CATALOG, type RuleInfo } from "../diagnosis/catalog.js";
import type { CodeFinding } from "../diagnosis/types.js";
import { HOMEPAGE, type RenderOptions, ruleDocUrl } from "./links.js";
import { plain } from "./markdown.js";
import { rulePage } from "./rule-docs.js";

export interface SarifOptions extends RenderOptions {
  /** The folder relative URIs start from (default: the current folder). */
  srcRoot?: string;
  /** Files the scan skipped, reported as notifications. */
  skipped?: { path: string; reason: string }[];
}

const LIBRARIES = [
  "gevent",
  "eventlet",
  "trio",
  "asyncio",
  "grpc",
  "greenlet",
  "psycopg2",
  "psycopg3",
  "mysql",
];

/** The rule's documented confidence: a rule that can say `high` is precise; others are hints. */
function precise(r: RuleInfo): boolean {
  return r.docs.what.includes("`high`");
}

function sarifRule(r: RuleInfo, opts: SarifOptions) {
  const page = rulePage(r);
  const high = precise(r);
  return {
    id: r.id,
    name: r.id
      .split("-")
      .map((w) => (w[0]?.toUpperCase() ?? "") + w.slice(1))
      .join(""),
    shortDescription: { text: r.title },
    fullDescription: { text: plain(r.docs.what).replace(/\s+/g, " ").trim() },
    help: { text: plain(page), markdown: page },
    helpUri: ruleDocUrl(r.id, opts),
    defaultConfiguration: { level: high ? "warning" : "note" },
    properties: {
      precision: high ? "high" : "medium",
      "problem.severity": high ? "warning" : "recommendation",
      tags: [
        "concurrency",
        "python",
        ...r.kinds.filter((k) => k !== "issue"),
        ...LIBRARIES.filter((l) => r.id.split("-").some((part) => part.startsWith(l))),
      ],
    },
  };
}

/** The pseudo-rule of `--report-unused-ignores`: a suppression comment that silences nothing. */
export const UNUSED_IGNORE = "unused-ignore";

const UNUSED_IGNORE_RULE = {
  id: UNUSED_IGNORE,
  name: "UnusedIgnore",
  shortDescription: { text: "A suppression comment that silences nothing" },
  fullDescription: {
    text: "An `# async-doctor: ignore[...]` or `ignore-file[...]` comment that silences no finding, or names no rule. Remove it, so that it does not hide the rule's next finding.",
  },
  help: {
    text: "Remove the comment, or correct the rule id in it (async-doctor rules lists them).",
    markdown: "Remove the comment, or correct the rule id in it (`async-doctor rules` lists them).",
  },
  defaultConfiguration: { level: "note" },
  properties: { precision: "very-high", "problem.severity": "recommendation", tags: ["maintainability"] },
};

export function toSarif(findings: CodeFinding[], version: string, opts: SarifOptions = {}): object {
  const root = resolve(opts.srcRoot ?? ".");
  const rules: { id: string }[] = CATALOG.filter(
    (r) => r.kinds.includes("code") || r.kinds.includes("manifest"),
  ).map((r) => sarifRule(r, opts));
  if (findings.some((f) => f.rule === UNUSED_IGNORE)) rules.push(UNUSED_IGNORE_RULE);
  const index = new Map(rules.map((r, i) => [r.id, i]));
  /** A path relative to %SRCROOT%, or an absolute file URI for one outside it. */
  const location = (path: string) => {
    const abs = resolve(path);
    const rel = relative(root, abs);
    if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return { uri: pathToFileURL(abs).href };
    return { uri: rel.split(sep).map(encodeURIComponent).join("/"), uriBaseId: "%SRCROOT%" };
  };
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "async-doctor",
            version,
            semanticVersion: version,
            informationUri: HOMEPAGE,
            rules,
          },
        },
        originalUriBaseIds: { "%SRCROOT%": { uri: `${pathToFileURL(root).href.replace(/\/?$/, "/")}` } },
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: (opts.skipped ?? []).map((s) => ({
              level: "warning",
              message: { text: `skipped: ${s.reason}` },
              locations: [{ physicalLocation: { artifactLocation: location(s.path) } }],
            })),
          },
        ],
        results: findings.map((f) => ({
          ruleId: f.rule,
          ...(index.has(f.rule) ? { ruleIndex: index.get(f.rule) } : {}),
          level: f.confidence === "high" ? "warning" : "note",
          message: { text: plain(f.message) },
          locations: [
            {
              physicalLocation: {
                artifactLocation: location(f.file),
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
