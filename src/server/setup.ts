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

async function freeLoopbackPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export async function startSetup(env: NodeJS.ProcessEnv): Promise<Server> {
  const inner = await freeLoopbackPort();
  await run(app, { env: { ...env, HOST: "127.0.0.1", PORT: String(inner) } });
  const front = createServer((req, res) => {
    if (healthz(req, res) || servePlayground(req, res)) return;
    const upstream = request(
      { host: "127.0.0.1", port: inner, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
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
  return front;
}
