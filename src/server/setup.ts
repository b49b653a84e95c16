/**
 * Setup mode (no App credentials yet): Probot's setup flow registers the App from app.yml. It
 * runs on a loopback port behind this server, which answers what the App answers in every mode
 * (`/healthz`, `/playground`) and passes everything else through with the original Host header, so that the
 * flow's own links point at this server.
 */
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { run } from "probot";
import app from "../index.js";
import { healthz } from "./http.js";
import { servePlayground } from "./static.js";

const PLAYGROUND_LINK =
  '<p style="text-align:center;margin:24px"><a href="/playground/">See what async-doctor would say on your own issues and code first: the playground</a> (it runs in your browser; nothing is sent).</p>';

async function freeLoopbackPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export async function startSetup(env: NodeJS.ProcessEnv): Promise<Server> {
  const inner = await freeLoopbackPort();
  // Probot's own "listening on" line would name the inner port, where /healthz and /playground
  // are not served: it logs warnings only, and this server says where to go.
  await run(app, {
    env: { ...env, HOST: "127.0.0.1", PORT: String(inner), LOG_LEVEL: env.LOG_LEVEL ?? "warn" },
  });
  const front = createServer((req, res) => {
    if (healthz(req, res) || servePlayground(req, res)) return;
    const upstream = request(
      { host: "127.0.0.1", port: inner, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        const html = String(answer.headers["content-type"] ?? "").startsWith("text/html");
        if (!html || answer.headers["content-encoding"]) {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          return;
        }
        // The setup pages link to the playground: try the diagnosis before registering the App.
        const chunks: Buffer[] = [];
        answer.on("data", (c: Buffer) => chunks.push(c));
        answer.on("end", () => {
          const page = Buffer.concat(chunks).toString("utf8");
          const at = page.lastIndexOf("</body>");
          const linked = at < 0 ? page : `${page.slice(0, at)}${PLAYGROUND_LINK}${page.slice(at)}`;
          const { "transfer-encoding": _chunked, ...rest } = answer.headers;
          const headers = { ...rest, "content-length": String(Buffer.byteLength(linked)) };
          res.writeHead(answer.statusCode ?? 502, headers);
          res.end(linked);
        });
      },
    );
    upstream.on("error", () => {
      if (!res.headersSent)
        res.writeHead(502, { "content-type": "text/plain" }).end("setup server unavailable\n");
      else res.destroy();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve, reject) => {
    front.once("error", reject);
    front.listen(Number(env.PORT || 3000), env.HOST || "localhost", () => resolve());
  });
  const { port } = front.address() as AddressInfo;
  const host = env.HOST && env.HOST !== "0.0.0.0" ? env.HOST : "localhost";
  process.stderr.write(
    `async-doctor: no App credentials yet: open http://${host}:${port} to register the App (Probot's setup flow); the playground is at http://${host}:${port}/playground/\n`,
  );
  return front;
}
