/**
 * The web role: `POST <webhook path>` verifies the signature, enqueues the delivery and answers
 * 202 at once; `GET /healthz` answers in every role. Bodies over GitHub's 25 MB limit are refused
 * before they are buffered, and a badly signed delivery is logged as one line (id, event, size),
 * never with its body.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Logger } from "pino";
import { jobOf } from "../queue/job.js";
import type { JobQueue } from "../queue/queue.js";
import { VERSION } from "../version.js";
import { servePlayground } from "./static.js";

/** GitHub caps webhook payloads at 25 MB. */
export const MAX_BODY_BYTES = 25 * 1024 * 1024;

export interface WebOptions {
  secret: string;
  path: string;
  queue: JobQueue;
  log: Pick<Logger, "info" | "warn" | "error">;
  maxBodyBytes?: number;
}

/** `sha256=<hex>` of the body with the secret, compared in constant time. */
export function signatureValid(secret: string, body: Buffer, header: string | undefined): boolean {
  if (!header?.startsWith("sha256=")) return false;
  const want = Buffer.from(`sha256=${createHmac("sha256", secret).update(body).digest("hex")}`);
  const got = Buffer.from(header);
  return got.length === want.length && timingSafeEqual(got, want);
}

function reply(res: ServerResponse, status: number, body: object, close = false): void {
  res.writeHead(status, { "content-type": "application/json", ...(close ? { connection: "close" } : {}) });
  res.end(JSON.stringify(body));
}

/** The body, or null once it passes `max` (the request is then answered 413 and dropped). */
function readBody(req: IncomingMessage, res: ServerResponse, max: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on("data", (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > max) {
        done = true;
        reply(res, 413, { error: "payload too large" }, true);
        req.destroy();
        resolve(null);
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      if (!done) resolve(Buffer.concat(chunks));
      done = true;
    });
    req.on("error", () => {
      if (!done) resolve(null);
      done = true;
    });
  });
}

export function healthz(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method === "GET" && (req.url === "/healthz" || req.url?.startsWith("/healthz?"))) {
    reply(res, 200, { status: "ok", version: VERSION });
    return true;
  }
  return false;
}

export function createWebServer(o: WebOptions): Server {
  const max = o.maxBodyBytes ?? MAX_BODY_BYTES;
  return createServer(async (req, res) => {
    try {
      if (healthz(req, res) || servePlayground(req, res)) return;
      const url = (req.url ?? "").split("?")[0];
      // `/` too: an App registered by the setup flow without a smee channel delivers there.
      if (req.method !== "POST" || (url !== o.path && url !== "/"))
        return reply(res, 404, { error: "not found" });
      const delivery = String(req.headers["x-github-delivery"] ?? "");
      const event = String(req.headers["x-github-event"] ?? "");
      const length = Number(req.headers["content-length"] ?? 0);
      if (length > max) {
        o.log.warn({ delivery, event, size: length }, "webhook refused: larger than GitHub's 25 MB limit");
        reply(res, 413, { error: "payload too large" }, true);
        req.destroy();
        return;
      }
      const body = await readBody(req, res, max);
      if (body === null) {
        o.log.warn({ delivery, event }, "webhook refused: body over the limit or broken");
        return;
      }
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
      const outcome = await o.queue.add(jobOf(delivery, event, payload));
      reply(res, 202, { delivery, outcome });
    } catch (e) {
      o.log.error({ reason: (e as Error).message }, "webhook could not be queued");
      if (!res.headersSent)
        reply(res, 503, { error: "could not queue the delivery; GitHub may redeliver it" });
    }
  });
}
