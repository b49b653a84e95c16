/**
 * `async-doctor server`: the Language Server Protocol over stdio, for editors. Each open Python
 * document is diagnosed with the same engine as `scan` (its project's pins and run configs, and
 * the settings file, read as for a file named on the command line) when it opens and as it
 * changes. An open manifest or run config (requirements.txt, pyproject.toml, a Procfile...) gets
 * the findings on its own lines that `scan` of its project gives. Open manifests and run configs
 * stand in for their files on disk, saved or not. A finding with an exact edit offers it as a
 * quick fix. Nothing but protocol messages goes to stdout.
 */
import { fileURLToPath } from "node:url";
import {
  CodeActionKind,
  type Connection,
  createConnection,
  type Diagnostic,
  DiagnosticSeverity,
  DidChangeWatchedFilesNotification,
  StreamMessageReader,
  StreamMessageWriter,
  TextDocumentSyncKind,
  TextDocuments,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { createEngine, type Engine } from "../diagnosis/engine.js";
import { isProjectFile } from "../diagnosis/project/project.js";
import type { CodeFinding, Replacement } from "../diagnosis/types.js";
import { ruleDocUrl } from "../report/links.js";
import { plain } from "../report/markdown.js";
import { Workspaces } from "./server-projects.js";
import { MAX_FILE_BYTES } from "./source-file.js";

/**
 * What the diagnoses read from disk besides the open documents: Python modules, manifests and
 * lock files, run configs, the settings file.
 */
const WATCHED = [
  "**/*.{py,pyi}",
  "**/{requirements,constraints}*.{txt,in}",
  "**/requirements/*.txt",
  "**/{pyproject.toml,setup.cfg,setup.py,Pipfile,Pipfile.lock,poetry.lock,uv.lock,pdm.lock}",
  "**/{Procfile,Procfile.*,Dockerfile,Dockerfile.*,*.dockerfile,Makefile,makefile,justfile}",
  "**/{locust.conf,supervisord.conf,app.yaml,fly.toml,*.ini,*.service,*.sh}",
  "**/{docker-compose,compose}*.{yml,yaml}",
  "**/async-doctor.yml",
];

/** Quiet time after a change before the document is diagnosed again. */
const DEBOUNCE_MS = 150;

const isPython = (path: string) => path.endsWith(".py") || path.endsWith(".pyi");
/** A manifest's findings need the project's code scanned: a little more quiet time first. */
const PROJECT_DEBOUNCE_MS = 400;

const pathOf = (uri: string): string | null => (uri.startsWith("file:") ? fileURLToPath(uri) : null);

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
  const workspaces = new Workspaces();
  const timers = new Map<string, NodeJS.Timeout>();
  let engine: Engine | null = null;

  /** The open manifests and run configs by absolute path: they stand in for the files on disk. */
  const openProjectFiles = () => {
    const texts = new Map<string, string>();
    for (const d of documents.all()) {
      const path = pathOf(d.uri);
      if (path !== null && isProjectFile(path)) texts.set(path, d.getText());
    }
    return texts;
  };
  const findingsOf = async (path: string, text: string): Promise<CodeFinding[]> => {
    engine ??= await createEngine();
    const workspace = await workspaces.of(path, openProjectFiles());
    return isPython(path)
      ? workspace.moduleFindings(engine, path, text)
      : workspace.projectFileFindings(path);
  };
  const diagnose = async (doc: TextDocument) => {
    const path = pathOf(doc.uri);
    if (path === null || !(isPython(path) || isProjectFile(path))) return;
    const text = doc.getText();
    const findings = text.length > MAX_FILE_BYTES ? [] : await findingsOf(path, text);
    // A newer version may have arrived while this one was read: only the latest is published.
    if (documents.get(doc.uri)?.version !== doc.version) return;
    connection.sendDiagnostics({
      uri: doc.uri,
      version: doc.version,
      diagnostics: findings.map(diagnostic),
    });
  };
  const schedule = (doc: TextDocument) => {
    clearTimeout(timers.get(doc.uri));
    const path = pathOf(doc.uri);
    timers.set(
      doc.uri,
      setTimeout(
        () => {
          timers.delete(doc.uri);
          diagnose(doc).catch((e: unknown) =>
            connection.console.error(`async-doctor: ${(e as Error).message}`),
          );
        },
        path !== null && isPython(path) ? DEBOUNCE_MS : PROJECT_DEBOUNCE_MS,
      ),
    );
  };
  /** What every open document's diagnosis read may have changed: read it again, diagnose all. */
  const again = () => {
    workspaces.forget();
    for (const d of documents.all()) schedule(d);
  };

  let watch = false;
  connection.onInitialize((params) => {
    watch = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      },
      serverInfo: { name: "async-doctor" },
    };
  });
  // Files changed outside the editor (a checkout, a pull, pip-compile) are read again when the
  // client watches them for the server, as it offers to.
  connection.onInitialized(() => {
    if (!watch) return;
    const watchers = WATCHED.map((globPattern) => ({ globPattern }));
    connection.client.register(DidChangeWatchedFilesNotification.type, { watchers }).catch(() => undefined);
  });
  const isProjectDoc = (uri: string) => {
    const path = pathOf(uri);
    return path !== null && isProjectFile(path);
  };
  // An open manifest or run config, edited or opened, is what the others read: all again.
  documents.onDidOpen((e) => (isProjectDoc(e.document.uri) ? again() : schedule(e.document)));
  documents.onDidChangeContent((e) => (isProjectDoc(e.document.uri) ? again() : schedule(e.document)));
  documents.onDidSave((e) => {
    const path = pathOf(e.document.uri) ?? "";
    // A saved module may add or drop a module-level patch, a call, an import the others rest on.
    if (path.endsWith("async-doctor.yml") || isPython(path)) again();
  });
  documents.onDidClose((e) => {
    connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    // Closed, the file on disk counts again.
    if (isProjectDoc(e.document.uri)) again();
  });
  connection.onDidChangeWatchedFiles(again);
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
