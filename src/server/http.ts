/**
 * The web role: `POST <webhook path>` verifies the signature, enqueues the delivery and answers
 * 202 at once; `GET /healthz` (alive) answers in every role, `GET /readyz` says whether the queue
 * answers. Every request is bounded: bodies over GitHub's 25 MB limit are refused before they are
 * buffered, all bodies being read at once share a byte budget (503 above it), headers and bodies
 * must arrive within a time limit, connections are capped, and the wait for the queue is bounded
 * (503, so that the delivery can be redelivered). Each refusal is logged as one line (id, event,
 * size), never with its body.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Logger } from "pino";
import { jobOf } from "../queue/job.js";
import type { JobQueue } from "../queue/queue.js";
import { VERSION } from "../version.js";
import { servePlayground } from "./static.js";

/** GitHub caps webhook payloads at 25 MB. */
export const MAX_BODY_BYTES = 25 * 1024 * 1024;

/** The limits of the web server (each can be set for tests and operators). */
export interface WebLimits {
  /** One body (GitHub's cap). */
  maxBodyBytes: number;
  /** All bodies being read at once: above it, a request is answered 503. */
  inflightBytes: number;
  /** Open connections. */
  maxConnections: number;
  /** Time for a request's headers, and for the whole request. */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** How long a delivery may wait for the queue before it is answered 503. */
  enqueueTimeoutMs: number;
}

export const DEFAULT_LIMITS: WebLimits = {
  maxBodyBytes: MAX_BODY_BYTES,
  inflightBytes: 100 * 1024 * 1024,
  maxConnections: 1000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  enqueueTimeoutMs: 5000,
};

export interface WebOptions {
  secret: string;
  path: string;
  queue: JobQueue;
  log: Pick<Logger, "info" | "warn" | "error">;
  limits?: Partial<WebLimits>;
}

/** `sha256=<hex>` of the body with the secret, compared in constant time. */
export function signatureValid(secret: string, body: Buffer, header: string | undefined): boolean {
  if (!header?.startsWith("sha256=")) return false;
  const want = Buffer.from(`sha256=${createHmac("sha256", secret).update(body).digest("hex")}`);
  const got = Buffer.from(header);
  return got.length === want.length && timingSafeEqual(got, want);
}

function reply(res: ServerResponse, status: number, body: object, close = false): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { "content-type": "application/json", ...(close ? { connection: "close" } : {}) });
  res.end(JSON.stringify(body));
}

/** Bytes of request bodies being read now, across the server. */
class ByteBudget {
  private used = 0;
  constructor(readonly limit: number) {}
  take(n: number): boolean {
    if (this.used + n > this.limit) return false;
    this.used += n;
    return true;
  }
  give(n: number): void {
    this.used -= n;
  }
}

type Read = { body: Buffer } | { refused: 413 | 503 } | { broken: true };

/** The body, within the per-body limit and the shared budget; what is taken is given back by the caller. */
function readBody(
  req: IncomingMessage,
  max: number,
  budget: ByteBudget,
  held: { bytes: number },
): Promise<Read> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (r: Read) => {
      if (done) return;
      done = true;
      resolve(r);
    };
    req.on("data", (c: Buffer) => {
      if (done) return;
      if (held.bytes + c.length > max) return finish({ refused: 413 });
      if (!budget.take(c.length)) return finish({ refused: 503 });
      held.bytes += c.length;
      chunks.push(c);
    });
    req.on("end", () => finish({ body: Buffer.concat(chunks) }));
    req.on("error", () => finish({ broken: true }));
    req.on("close", () => finish({ broken: true }));
  });
}

function isGet(req: IncomingMessage, path: string): boolean {
  return req.method === "GET" && (req.url === path || req.url?.startsWith(`${path}?`) === true);
}

/** `GET /healthz`: the process answers (liveness). */
export function healthz(req: IncomingMessage, res: ServerResponse): boolean {
  if (!isGet(req, "/healthz")) return false;
  reply(res, 200, { status: "ok", version: VERSION });
  return true;
}

/** Resolve `p`, or reject after `ms` (the work behind `p` is not cancelled). */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export function createWebServer(o: WebOptions): Server {
  const limits = { ...DEFAULT_LIMITS, ...o.limits };
  const budget = new ByteBudget(limits.inflightBytes);
  // Timeouts are checked every second (Node's default, 30 s, would let a slow client hold on long past them).
  const server = createServer({ connectionsCheckingInterval: 1000 }, async (req, res) => {
    const held = { bytes: 0 };
    try {
      if (healthz(req, res) || servePlayground(req, res)) return;
      if (isGet(req, "/readyz")) {
        const ready = await within(o.queue.ready(), 2000, "the queue").catch(() => false);
        return reply(res, ready ? 200 : 503, {
          status: ready ? "ready" : "queue unavailable",
          version: VERSION,
        });
      }
      const url = (req.url ?? "").split("?")[0];
      // `/` too: an App registered by the setup flow without a smee channel delivers there.
      if (req.method !== "POST" || (url !== o.path && url !== "/"))
        return reply(res, 404, { error: "not found" });
      const delivery = String(req.headers["x-github-delivery"] ?? "").slice(0, 100);
      const event = String(req.headers["x-github-event"] ?? "").slice(0, 100);
      const length = Number(req.headers["content-length"] ?? 0);
      if (length > limits.maxBodyBytes) {
        o.log.warn({ delivery, event, size: length }, "webhook refused: larger than GitHub's 25 MB limit");
        reply(res, 413, { error: "payload too large" }, true);
        req.destroy();
        return;
      }
      const read = await readBody(req, limits.maxBodyBytes, budget, held);
      if ("refused" in read) {
        o.log.warn(
          { delivery, event, size: Math.max(length, held.bytes) },
          read.refused === 413
            ? "webhook refused: body over GitHub's 25 MB limit"
            : "webhook refused: too many bytes in flight (the server is busy; GitHub may redeliver)",
        );
        reply(res, read.refused, { error: read.refused === 413 ? "payload too large" : "busy" }, true);
        req.destroy();
        return;
      }
      if ("broken" in read) {
        o.log.warn(
          { delivery, event, size: held.bytes },
          "webhook dropped: the connection broke or timed out",
        );
        return;
      }
      const body = read.body;
      const signature = req.headers["x-hub-signature-256"];
      if (!signatureValid(o.secret, body, typeof signature === "string" ? signature : undefined)) {
        o.log.warn({ delivery, event, size: body.length }, "webhook refused: bad signature");
        return reply(res, 400, { error: "signature does not match" });
      }
      if (!delivery || !event)
        return reply(res, 400, { error: "missing X-GitHub-Delivery or X-GitHub-Event" });
      let payload: unknown;
      try {
        payload = JSON.parse(body.toString("utf8"));
      } catch {
        return reply(res, 400, { error: "body is not JSON" });
      }
      // The delivery id is not signed; the body is: a signed body seen before is a replay.
      const digest = createHash("sha256").update(body).digest("hex");
      budget.give(held.bytes);
      held.bytes = 0;
      const outcome = await within(
        o.queue.add(jobOf(delivery, event, payload), digest),
        limits.enqueueTimeoutMs,
        "the queue",
      );
      if (outcome === "replay")
        o.log.warn(
          { delivery, event, size: body.length },
          "webhook refused: a body already delivered under another delivery id",
        );
      reply(res, 202, { delivery, outcome: outcome === "replay" ? "duplicate" : outcome });
    } catch (e) {
      o.log.error({ reason: (e as Error).message }, "webhook could not be queued");
      reply(res, 503, { error: "could not queue the delivery; redeliver it from the App's settings" });
    } finally {
      budget.give(held.bytes);
    }
  });
  server.maxConnections = limits.maxConnections;
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  return server;
}
