/**
 * The load run's sender, on its own thread so that the GitHub stand-in's work (on the test's
 * thread) does not delay it: it posts the signed deliveries at a fixed concurrency over
 * keep-alive connections (node:http; `fetch` costs the sender more CPU than the server spends
 * answering) and reports each request's latency, from sending to the whole answer.
 */
import { createHmac, randomUUID } from "node:crypto";
import { Agent, request } from "node:http";
import { parentPort, workerData } from "node:worker_threads";

const { url, secret, concurrency, deliveries } = workerData;
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const latencies = [];
const statuses = {};

function post(d) {
  const body = Buffer.from(d.body);
  const headers = {
    "content-type": "application/json",
    "content-length": body.length,
    "x-github-event": d.event,
    "x-github-delivery": randomUUID(),
    "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
  };
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers, agent }, (res) => {
      res.on("data", () => undefined);
      res.on("end", () => resolve(res.statusCode));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

let next = 0;
const t0 = Date.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < deliveries.length) {
      const d = deliveries[next++];
      const t = performance.now();
      const status = await post(d);
      latencies.push(performance.now() - t);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  }),
);
agent.destroy();
parentPort.postMessage({ latencies, statuses, sentMs: Date.now() - t0 });
