/**
 * `async-doctor server` driven as an editor drives a language server: the packaged command over
 * stdio, JSON-RPC with Content-Length framing; initialize, didOpen, the diagnostics it publishes
 * (with the project's pins from disk), a code action with the exact edit, didChange, shutdown.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { FIXTURES } from "../helpers.js";

const BUNDLE = new URL("../../dist/bundle/async-doctor.js", import.meta.url).pathname;

interface Message {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: unknown;
}

/** A minimal LSP client: framed writes, framed reads, waits for a response or a notification. */
class Client {
  private buf = Buffer.alloc(0);
  private readonly seen: Message[] = [];
  private waiters: { test: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];
  private next = 1;
  constructor(readonly proc: ChildProcessWithoutNullStreams) {
    proc.stdout.on("data", (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      for (;;) {
        const head = this.buf.indexOf("\r\n\r\n");
        if (head < 0) return;
        const len = Number(/Content-Length: (\d+)/i.exec(this.buf.subarray(0, head).toString())?.[1]);
        if (this.buf.length < head + 4 + len) return;
        const msg = JSON.parse(this.buf.subarray(head + 4, head + 4 + len).toString()) as Message;
        this.buf = this.buf.subarray(head + 4 + len);
        this.seen.push(msg);
        const waiting = this.waiters;
        this.waiters = [];
        for (const w of waiting) {
          if (w.test(msg)) w.resolve(msg);
          else this.waiters.push(w);
        }
      }
    });
  }
  /** Answer a request the server made (`client/registerCapability`). */
  respond(id: number, result: unknown): void {
    const body = JSON.stringify({ jsonrpc: "2.0", id, result });
    this.proc.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }
  send(method: string, params: unknown, id?: number): void {
    const body = JSON.stringify({ jsonrpc: "2.0", method, params, ...(id !== undefined ? { id } : {}) });
    this.proc.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }
  wait(test: (m: Message) => boolean, ms = 15_000): Promise<Message> {
    const hit = this.seen.find(test);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error("no such message in time")), ms);
      this.waiters.push({
        test,
        resolve: (m) => {
          clearTimeout(t);
          resolve(m);
        },
      });
    });
  }
  async request(method: string, params: unknown): Promise<unknown> {
    const id = this.next++;
    this.send(method, params, id);
    return (await this.wait((m) => m.id === id && m.method === undefined)).result;
  }
  diagnostics(uri: string, version: number): Promise<Message> {
    return this.wait(
      (m) =>
        m.method === "textDocument/publishDiagnostics" &&
        m.params?.uri === uri &&
        m.params?.version === version,
    );
  }
}

let proc: ChildProcessWithoutNullStreams | null = null;

/** The packaged server started as an editor starts it, initialised on the workspace `dir`. */
async function session(dir: string, capabilities: unknown = {}): Promise<Client> {
  proc = spawn(process.execPath, [BUNDLE, "server", "--stdio"], { cwd: tmpdir() });
  const c = new Client(proc);
  await c.request("initialize", { processId: process.pid, rootUri: pathToFileURL(dir).href, capabilities });
  c.send("initialized", {});
  return c;
}
afterEach(() => {
  proc?.kill();
  proc = null;
});

describe("async-doctor server (LSP)", () => {
  it("diagnoses an open document with its project's pins, offers the exact fix, follows changes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ad-lsp-"));
    cpSync(join(FIXTURES, "projects", "gunicorn-conf-mysql-connector"), dir, { recursive: true });
    proc = spawn(process.execPath, [BUNDLE, "server", "--stdio"], { cwd: tmpdir() });
    const c = new Client(proc);
    const init = (await c.request("initialize", {
      processId: process.pid,
      rootUri: pathToFileURL(dir).href,
      capabilities: {},
    })) as { capabilities: { codeActionProvider: unknown; textDocumentSync: number } };
    expect(init.capabilities.codeActionProvider).toBeTruthy();
    c.send("initialized", {});

    // db.py connects without use_pure; only gunicorn.conf.py (on disk) says it runs under gevent.
    const uri = pathToFileURL(join(dir, "db.py")).href;
    const text =
      'import mysql.connector\n\n\ndef connect():\n    return mysql.connector.connect(user="app", database="shop")\n';
    c.send("textDocument/didOpen", { textDocument: { uri, languageId: "python", version: 1, text } });
    const first = (await c.diagnostics(uri, 1)).params as { diagnostics: Record<string, unknown>[] };
    expect(first.diagnostics).toHaveLength(1);
    const d = first.diagnostics[0] as {
      code: string;
      source: string;
      severity: number;
      range: { start: { line: number } };
      message: string;
    };
    expect(d).toMatchObject({ code: "mysql-cext-under-gevent", source: "async-doctor" });
    expect(d.range.start.line).toBe(4);
    expect(d.message).toContain("gunicorn.conf.py line 1");

    const actions = (await c.request("textDocument/codeAction", {
      textDocument: { uri },
      range: d.range,
      context: { diagnostics: [d] },
    })) as { kind: string; edit: { changes: Record<string, { newText: string; range: unknown }[]> } }[];
    expect(actions).toHaveLength(1);
    expect(actions[0]?.kind).toBe("quickfix");
    const edit = actions[0]?.edit.changes[uri]?.[0];
    expect(edit?.newText).toBe(
      '    return mysql.connector.connect(user="app", database="shop", use_pure=True)',
    );
    expect(edit?.range).toEqual({ start: { line: 4, character: 0 }, end: { line: 4, character: 63 } });

    // The user applies it: the next diagnostics are empty.
    c.send("textDocument/didChange", {
      textDocument: { uri, version: 2 },
      contentChanges: [{ text: text.replace('database="shop")', 'database="shop", use_pure=True)') }],
    });
    const second = (await c.diagnostics(uri, 2)).params as { diagnostics: unknown[] };
    expect(second.diagnostics).toEqual([]);

    expect(await c.request("shutdown", null)).toBeNull();
    c.send("exit", null);
    const code = await new Promise<number | null>((resolve) => proc?.on("exit", resolve));
    expect(code).toBe(0);
  }, 60_000);

  it("diagnoses an open manifest as scan does, and an unsaved edit to it counts for the modules", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ad-lsp-"));
    cpSync(join(FIXTURES, "projects", "entry-patch-chain-httpx"), dir, { recursive: true });
    const c = await session(dir);
    const open = (name: string, languageId: string) => {
      const uri = pathToFileURL(join(dir, name)).href;
      const text = readFileSync(join(dir, name), "utf8");
      c.send("textDocument/didOpen", { textDocument: { uri, languageId, version: 1, text } });
      return { uri, text };
    };
    const codes = async (uri: string, version: number) =>
      (
        (await c.diagnostics(uri, version)).params as {
          diagnostics: { code: string; range: { start: { line: number } } }[];
        }
      ).diagnostics.map((d) => `${d.code}@${d.range.start.line}`);

    // worker.py patches at module level and imports jobs -> clients (httpx); the pins are on disk.
    const module = open("clients.py", "python");
    expect(await codes(module.uri, 1)).toEqual(["gevent-trio-same-process@0"]);
    const manifest = open("requirements.txt", "pip-requirements");
    // On the trio pin (line 4), as `scan` reports it.
    expect(await codes(manifest.uri, 1)).toEqual(["gevent-trio-same-process@3"]);

    // The user drops trio, unsaved: the manifest and the module it gave the finding are clear.
    c.send("textDocument/didChange", {
      textDocument: { uri: manifest.uri, version: 2 },
      contentChanges: [{ text: manifest.text.replace("trio==0.26.2\n", "") }],
    });
    expect(await codes(manifest.uri, 2)).toEqual([]);
    await c.wait(
      (m) =>
        m.method === "textDocument/publishDiagnostics" &&
        m.params?.uri === module.uri &&
        ((m.params?.diagnostics ?? []) as unknown[]).length === 0,
    );

    // Closed unsaved, the file on disk counts again.
    c.send("textDocument/didClose", { textDocument: { uri: manifest.uri } });
    await c.wait(
      (m) =>
        m.method === "textDocument/publishDiagnostics" &&
        m.params?.uri === module.uri &&
        ((m.params?.diagnostics ?? []) as unknown[]).length === 1,
    );
  }, 60_000);

  it("asks the editor to watch the files it reads, and reads them again when one changes on disk", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ad-lsp-"));
    cpSync(join(FIXTURES, "projects", "entry-patch-chain-httpx"), dir, { recursive: true });
    const c = await session(dir, { workspace: { didChangeWatchedFiles: { dynamicRegistration: true } } });
    const registration = await c.wait((m) => m.method === "client/registerCapability");
    c.respond(registration.id as number, null);
    const regs = (registration.params?.registrations ?? []) as { method: string; registerOptions: unknown }[];
    const reg = regs[0];
    expect(reg?.method).toBe("workspace/didChangeWatchedFiles");
    const options = (reg?.registerOptions ?? { watchers: [] }) as { watchers: { globPattern: string }[] };
    const globs = options.watchers.map((w) => w.globPattern);
    expect(globs).toContain("**/*.{py,pyi}");
    expect(globs.some((g) => g.includes("uv.lock"))).toBe(true);

    const uri = pathToFileURL(join(dir, "clients.py")).href;
    const text = readFileSync(join(dir, "clients.py"), "utf8");
    c.send("textDocument/didOpen", { textDocument: { uri, languageId: "python", version: 1, text } });
    const first = (await c.diagnostics(uri, 1)).params as { diagnostics: unknown[] };
    expect(first.diagnostics).toHaveLength(1);
    // A `git pull` drops trio from requirements.txt: the editor reports it, the finding goes.
    const manifest = join(dir, "requirements.txt");
    writeFileSync(manifest, readFileSync(manifest, "utf8").replace("trio==0.26.2\n", ""));
    c.send("workspace/didChangeWatchedFiles", { changes: [{ uri: pathToFileURL(manifest).href, type: 2 }] });
    await c.wait(
      (m) =>
        m.method === "textDocument/publishDiagnostics" &&
        m.params?.uri === uri &&
        ((m.params?.diagnostics ?? []) as unknown[]).length === 0,
    );
  }, 60_000);

  it("offers a manifest's exact pin edit as a quick fix", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ad-lsp-"));
    cpSync(join(FIXTURES, "projects", "psycopg3-fixed-version-bump"), dir, { recursive: true });
    const c = await session(dir);
    const uri = pathToFileURL(join(dir, "requirements.txt")).href;
    const text = readFileSync(join(dir, "requirements.txt"), "utf8");
    c.send("textDocument/didOpen", {
      textDocument: { uri, languageId: "pip-requirements", version: 1, text },
    });
    const { diagnostics } = (await c.diagnostics(uri, 1)).params as {
      diagnostics: { code: string; range: { start: { line: number } } }[];
    };
    expect(diagnostics.map((d) => d.code)).toEqual(["gevent-psycopg3-cext"]);
    const actions = (await c.request("textDocument/codeAction", {
      textDocument: { uri },
      range: diagnostics[0]?.range,
      context: { diagnostics },
    })) as { edit: { changes: Record<string, { newText: string }[]> } }[];
    expect(actions.map((a) => a.edit.changes[uri]?.[0]?.newText)).toEqual(["psycopg[c]==3.1.14"]);
  }, 60_000);
});
