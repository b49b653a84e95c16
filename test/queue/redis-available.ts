/**
 * Whether the tests can reach a Redis (127.0.0.1:6379, or REDIS_URL). On a machine without one,
 * the Redis-backed tests are skipped, and say so; with ASYNC_DOCTOR_REQUIRE_REDIS=1 (CI) a missing
 * Redis fails the run instead.
 */
import { Socket } from "node:net";

export const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

function ping(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const s = new Socket();
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1000, () => done(false));
    s.once("error", () => done(false));
    s.connect(Number(port || 6379), hostname, () => {
      s.write("PING\r\n");
      s.once("data", (d) => done(d.toString().startsWith("+PONG")));
    });
  });
}

export const redisUp = await ping(REDIS_URL);
if (!redisUp) {
  if (process.env.ASYNC_DOCTOR_REQUIRE_REDIS === "1")
    throw new Error(`Redis is required (ASYNC_DOCTOR_REQUIRE_REDIS=1) but ${REDIS_URL} does not answer`);
  process.stderr.write(`SKIPPED: the Redis-backed tests, because ${REDIS_URL} does not answer\n`);
}
