/**
 * `async-doctor server`: the Language Server Protocol over stdio, for editors. Each open Python
 * document is diagnosed with the same engine as `scan` (its project's pins and run configs, and
 * the settings file, read from disk as for a file named on the command line) when it opens and
 * as it changes; a finding with an exact edit offers it as a quick fix. Nothing but protocol
 * messages goes to stdout.
 */
import { fileURLToPath } from "node:url";
import {
  CodeActionKind,
  type Connection,
  createConnection,
  type Diagnostic,
  DiagnosticSeverity,
  StreamMessageReader,
  StreamMessageWriter,
  TextDocumentSyncKind,
  TextDocuments,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { ruleFilter } from "../config/rule-filter.js";
import { createEngine, type Engine, type RuleFilter } from "../diagnosis/engine.js";
import { isProjectFile } from "../diagnosis/project/project.js";
import type { CodeFinding, Replacement } from "../diagnosis/types.js";
import { ruleDocUrl } from "../report/links.js";
import { plain } from "../report/markdown.js";
import { cliConfig, configProblem } from "./config.js";
import { fileProjects, projectHome } from "./file-project.js";
import { emptyReport } from "./fs-scan.js";
import { contextOf, rel, type ScannedProject } from "./project-scan.js";
import { MAX_FILE_BYTES } from "./source-file.js";

/** Quiet time after a change before the document is diagnosed again. */
const DEBOUNCE_MS = 150;

const isPython = (path: string) => path.endsWith(".py") || path.endsWith(".pyi");

/** What a document's diagnosis needs from disk, read once per project folder. */
class Projects {
  private readonly byHome = new Map<string, { project?: ScannedProject; filter: RuleFilter }>();

  async of(path: string): Promise<{ project?: ScannedProject; filter: RuleFilter }> {
    const home = projectHome(path) ?? "";
    const hit = this.byHome.get(home);
    if (hit) return hit;
    const settings = await cliConfig(null, path).catch(() => null);
    // A settings file that does not validate leaves every rule on (the CLI says why on `scan`).
    const filter = settings && configProblem(settings) === null ? ruleFilter(settings.config) : {};
    const projects: ScannedProject[] = [];
    const paths = {
      include: [],
      exclude: settings?.config.pull_requests.exclude ?? [],
      gitignore: true,
      ...(settings?.base ? { base: settings.base } : {}),
    };
    const project = fileProjects([path], paths, emptyReport(), projects).get(path);
    const entry = project ? { project, filter } : { filter };
    this.byHome.set(home, entry);
    return entry;
  }

  /** A manifest, run config or settings file changed: read everything again. */
  forget(): void {
    this.byHome.clear();
  }
}

function diagnostic(f: CodeFinding): Diagnostic {
  return {
    range: {
      start: { line: f.line - 1, character: f.column - 1 },
      end: { line: f.endLine - 1, character: f.endColumn - 1 },
    },
    severity: f.confidence === "high" ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information,
    source: "async-doctor",
    code: f.rule,
    codeDescription: { href: ruleDocUrl(f.rule) },
    message: plain(f.message),
    ...(f.fix ? { data: { fix: f.fix } } : {}),
  };
}

export function startServer(
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  const connection: Connection = createConnection(
    new StreamMessageReader(input),
    new StreamMessageWriter(output),
  );
  const documents = new TextDocuments(TextDocument);
  const projects = new Projects();
  const timers = new Map<string, NodeJS.Timeout>();
  let engine: Engine | null = null;

  const diagnose = async (doc: TextDocument) => {
    if (!doc.uri.startsWith("file:")) return;
    const path = fileURLToPath(doc.uri);
    if (!isPython(path)) return;
    const text = doc.getText();
    if (text.length > MAX_FILE_BYTES) {
      connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: [] });
      return;
    }
    engine ??= await createEngine();
    const { project, filter } = await projects.of(path);
    const context = project ? contextOf(project, rel(project.root, path), Buffer.from(text)) : undefined;
    const r = engine.scanSource(path, text, filter, context);
    // A newer version may have arrived while this one was read: only the latest is published.
    if (documents.get(doc.uri)?.version !== doc.version) return;
    connection.sendDiagnostics({
      uri: doc.uri,
      version: doc.version,
      diagnostics: r.findings.map(diagnostic),
    });
  };
  const schedule = (doc: TextDocument) => {
    clearTimeout(timers.get(doc.uri));
    timers.set(
      doc.uri,
      setTimeout(() => {
        timers.delete(doc.uri);
        diagnose(doc).catch((e: unknown) =>
          connection.console.error(`async-doctor: ${(e as Error).message}`),
        );
      }, DEBOUNCE_MS),
    );
  };

  connection.onInitialize(() => ({
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
    },
    serverInfo: { name: "async-doctor" },
  }));
  documents.onDidOpen((e) => schedule(e.document));
  documents.onDidChangeContent((e) => schedule(e.document));
  documents.onDidSave((e) => {
    const path = e.document.uri.startsWith("file:") ? fileURLToPath(e.document.uri) : "";
    if (isProjectFile(path) || path.endsWith("async-doctor.yml")) {
      projects.forget();
      for (const d of documents.all()) schedule(d);
    }
  });
  documents.onDidClose((e) => connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] }));
  connection.onDidChangeWatchedFiles(() => {
    projects.forget();
    for (const d of documents.all()) schedule(d);
  });
  connection.onCodeAction((params) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return [];
    const lines = doc.getText().split(/\r?\n/);
    const actions = [];
    for (const d of params.context.diagnostics) {
      const fix = (d.data as { fix?: Replacement } | undefined)?.fix;
      if (d.source !== "async-doctor" || !fix || fix.endLine > lines.length) continue;
      // Whole lines replaced: from the start of the first to the end of the last.
      const end = { line: fix.endLine - 1, character: (lines[fix.endLine - 1] ?? "").length };
      actions.push({
        title: `async-doctor: apply the fix (${String(d.code)})`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [d],
        isPreferred: true,
        edit: {
          changes: {
            [doc.uri]: [
              { range: { start: { line: fix.startLine - 1, character: 0 }, end }, newText: fix.text },
            ],
          },
        },
      });
    }
    return actions;
  });
  documents.listen(connection);
  return new Promise((resolve) => {
    connection.onExit(() => resolve(0));
    connection.listen();
  });
}
