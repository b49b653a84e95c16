/**
 * A local stand-in for the GitHub API (Enterprise layout, /api/v3 and /api/graphql) with state —
 * issue comments, check runs, reviews and review comments — and faults on demand: a route can fail
 * N times with a status (and headers), or be held until released. It is what the fault suite
 * counts: exactly one comment, review and check run per target.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface PrFile {
  filename: string;
  status: string;
  patch: string;
  content: string;
}

interface Fault {
  match: RegExp;
  method: string;
  times: number;
  status: number;
  headers: Record<string, string>;
}

interface Hold {
  match: RegExp;
  method: string;
  hit: () => void;
  release: Promise<void>;
}

export interface Seen {
  at?: number;
  method: string;
  url: string;
  body: string;
}

export class FakeGitHub {
  readonly seen: Seen[] = [];
  readonly prFiles = new Map<number, PrFile[]>();
  readonly issueComments = new Map<
    number,
    { id: number; body: string; user: object; created_at: string }[]
  >();
  readonly checkRuns: {
    id: number;
    head_sha: string;
    name: string;
    status: string;
    conclusion?: string;
    output?: unknown;
    app: { slug: string };
  }[] = [];
  readonly reviews = new Map<number, { id: number; body: string; commit_id: string; user: object }[]>();
  readonly reviewComments = new Map<
    number,
    { id: number; body: string; path: string; line: number; user: object }[]
  >();
  private faults: Fault[] = [];
  private holds: Hold[] = [];
  private nextId = 1000;
  private server: Server | null = null;
  port = 0;

  /** Fail the next `times` requests matching `match` with `status`. */
  fail(
    method: string,
    match: RegExp,
    times: number,
    status: number,
    headers: Record<string, string> = {},
  ): void {
    this.faults.push({ method, match, times, status, headers });
  }

  /** Hold requests matching `match` until `release()`; `reached` resolves when one arrives. */
  hold(method: string, match: RegExp): { reached: Promise<void>; release: () => void } {
    let release!: () => void;
    let hit!: () => void;
    const reached = new Promise<void>((r) => {
      hit = r;
    });
    const released = new Promise<void>((r) => {
      release = r;
    });
    this.holds.push({ method, match, hit, release: released });
    return {
      reached,
      release: () => {
        this.holds = this.holds.filter((h) => h.release !== released);
        release();
      },
    };
  }

  count(method: string, match: RegExp): number {
    return this.seen.filter((s) => s.method === method && match.test(s.url)).length;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server?.listen(0, "127.0.0.1", () => r()));
    this.port = (this.server.address() as AddressInfo).port;
  }

  stop(): void {
    this.server?.closeAllConnections();
    this.server?.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await new Promise<string>((resolve) => {
      let b = "";
      req.on("data", (c) => {
        b += c;
      });
      req.on("end", () => resolve(b));
    });
    const method = req.method ?? "";
    const url = req.url ?? "";
    this.seen.push({ method, url, body, at: Date.now() });
    const json = (status: number, data: unknown, headers: Record<string, string> = {}) => {
      if (res.destroyed) return;
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
      res.end(JSON.stringify(data));
    };
    for (const h of this.holds)
      if (h.method === method && h.match.test(url)) {
        h.hit();
        await h.release;
      }
    const fault = this.faults.find((f) => f.method === method && f.match.test(url) && f.times > 0);
    if (fault) {
      fault.times--;
      return json(fault.status, { message: `injected ${fault.status}` }, fault.headers);
    }
    try {
      const [status, answer, headers] = this.route(method, url, body);
      json(status, answer, headers);
    } catch (e) {
      json(500, { message: (e as Error).message });
    }
  }

  private route(method: string, url: string, body: string): [number, unknown, Record<string, string>?] {
    const data = body ? (JSON.parse(body) as Record<string, unknown>) : {};
    const bot = { login: "async-doctor[bot]", type: "Bot" };
    if (method === "POST" && /\/app\/installations\/\d+\/access_tokens$/.test(url))
      return [201, { token: `ghs_${randomUUID()}`, expires_at: "2099-01-01T00:00:00Z", permissions: {} }];
    if (method === "GET" && url === "/api/v3/app") return [200, { id: 1, slug: "async-doctor" }];
    if (method === "POST" && url === "/api/graphql") {
      const q = data as { query: string; variables: Record<string, string> };
      if (q.query.includes("org: repository")) return [200, { data: { repo: { object: null }, org: null } }];
      const repository: Record<string, unknown> = {};
      const all = [...this.prFiles.values()].flat();
      for (const [k, expr] of Object.entries(q.variables)) {
        if (k === "owner" || k === "repo") continue;
        const path = expr.slice(expr.indexOf(":") + 1);
        const file = all.find((f) => f.filename === path);
        // Head texts: changed files (h*) and project files (x*); the base has none.
        repository[k] =
          file && (k.startsWith("h") || k.startsWith("x"))
            ? { text: file.content, isBinary: false, byteSize: file.content.length }
            : null;
      }
      return [200, { data: { repository } }];
    }
    const pr = /\/pulls\/(\d+)\//.exec(url);
    const n = pr ? Number(pr[1]) : 0;
    if (method === "GET" && url.includes("/git/trees/"))
      return [
        200,
        {
          tree: [...this.prFiles.values()]
            .flat()
            .map((f) => ({ path: f.filename, type: "blob", size: f.content.length })),
          truncated: false,
        },
      ];
    if (method === "GET" && pr && url.includes("/files"))
      return [200, (this.prFiles.get(n) ?? []).map(({ content: _c, ...f }) => f)];
    if (method === "GET" && pr && /\/pulls\/\d+\/comments/.test(url))
      return [200, this.reviewComments.get(n) ?? []];
    if (method === "GET" && pr && /\/pulls\/\d+\/reviews/.test(url)) return [200, this.reviews.get(n) ?? []];
    if (method === "POST" && pr && url.endsWith("/reviews")) {
      const r = data as {
        body?: string;
        commit_id: string;
        comments?: { path: string; line: number; body: string }[];
      };
      const list = this.reviews.get(n) ?? [];
      list.push({ id: this.nextId++, body: r.body ?? "", commit_id: r.commit_id, user: bot });
      this.reviews.set(n, list);
      const cs = this.reviewComments.get(n) ?? [];
      for (const c of r.comments ?? [])
        cs.push({ id: this.nextId++, body: c.body, path: c.path, line: c.line, user: bot });
      this.reviewComments.set(n, cs);
      return [200, { id: this.nextId++ }];
    }
    if (method === "POST" && url.endsWith("/check-runs")) {
      const c = data as { head_sha: string; name: string; status: string };
      const run = {
        id: this.nextId++,
        head_sha: c.head_sha,
        name: c.name,
        status: c.status,
        app: { slug: "async-doctor" },
      };
      this.checkRuns.push(run);
      return [201, run];
    }
    const check = /\/check-runs\/(\d+)$/.exec(url);
    if (method === "PATCH" && check) {
      const run = this.checkRuns.find((r) => r.id === Number(check[1]));
      if (!run) return [404, { message: "Not Found" }];
      Object.assign(run, data);
      return [200, run];
    }
    const forRef = /\/commits\/([0-9a-f]+)\/check-runs/.exec(url);
    if (method === "GET" && forRef) {
      const runs = this.checkRuns.filter((r) => r.head_sha === forRef[1]);
      return [200, { total_count: runs.length, check_runs: runs }];
    }
    const issue = /\/issues\/(\d+)\/comments/.exec(url);
    if (issue && method === "GET") return [200, this.issueComments.get(Number(issue[1])) ?? []];
    if (issue && method === "POST") {
      const list = this.issueComments.get(Number(issue[1])) ?? [];
      const c = {
        id: this.nextId++,
        body: String(data.body),
        user: bot,
        created_at: new Date().toISOString(),
      };
      list.push(c);
      this.issueComments.set(Number(issue[1]), list);
      return [201, c];
    }
    // No pull request links to these issues.
    if (method === "GET" && /\/issues\/\d+\/timeline/.test(url)) return [200, []];
    const one = /\/issues\/comments\/(\d+)$/.exec(url);
    if (one && (method === "PATCH" || method === "DELETE")) {
      for (const list of this.issueComments.values()) {
        const i = list.findIndex((c) => c.id === Number(one[1]));
        if (i < 0) continue;
        if (method === "DELETE") list.splice(i, 1);
        else Object.assign(list[i] as object, { body: String(data.body) });
      }
      return [method === "DELETE" ? 204 : 200, {}];
    }
    if (method === "POST" && url.endsWith("/labels")) return [201, {}];
    return [404, { message: `unexpected ${method} ${url}` }];
  }
}
