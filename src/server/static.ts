/**
 * `/playground`: the static playground page (built into dist/playground/), served in every mode
 * (one process, web replicas, setup). A fixed set of files, each read once; nothing from the
 * request reaches the file system.
 */
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";

const FILES: Record<string, string> = {
  "index.html": "text/html; charset=utf-8",
  "style.css": "text/css; charset=utf-8",
  "app.js": "text/javascript; charset=utf-8",
  "web-tree-sitter.wasm": "application/wasm",
  "tree-sitter-python.wasm": "application/wasm",
};

const cache = new Map<string, Buffer | null>();

function file(name: string): Buffer | null {
  if (!cache.has(name)) {
    try {
      cache.set(name, readFileSync(new URL(`../playground/${name}`, import.meta.url)));
    } catch {
      cache.set(name, null);
    }
  }
  return cache.get(name) ?? null;
}

/** Answers `GET /playground[/...]`; false for any other request. */
export function servePlayground(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  const path = (req.url ?? "").split(/[?#]/)[0] ?? "";
  if (path !== "/playground" && !path.startsWith("/playground/")) return false;
  if (path === "/playground") {
    res.writeHead(301, { location: "/playground/" }).end();
    return true;
  }
  const name = path.slice("/playground/".length) || "index.html";
  const type = FILES[name];
  const body = type ? file(name) : null;
  if (!type || body === null) {
    res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    return true;
  }
  res.writeHead(200, {
    "content-type": type,
    "content-length": body.length,
    "cache-control": name === "index.html" ? "no-cache" : "public, max-age=3600",
    "x-content-type-options": "nosniff",
  });
  res.end(req.method === "HEAD" ? undefined : body);
  return true;
}
