/**
 * Work done once across replicas through Redis: a claim (`SET NX` with a lease) decides who does
 * it; the others wait until it is marked done (or the lease lapses, then they try themselves).
 */
import { Redis } from "ioredis";
import type { SharedOnce } from "./labels.js";

const LEASE_MS = 30_000;
const DONE_S = 7 * 24 * 3600;

export function redisOnce(url: string, prefix: string): SharedOnce {
  const redis = new Redis(url, { maxRetriesPerRequest: 2, lazyConnect: true });
  const k = (key: string) => `${prefix}:once:${key}`;
  return {
    async once(key, work) {
      for (let waited = 0; ; ) {
        const state = await redis.set(k(key), "claimed", "PX", LEASE_MS, "NX");
        if (state === "OK") {
          try {
            await work();
          } catch (e) {
            await redis.del(k(key));
            throw e;
          }
          await redis.set(k(key), "done", "EX", DONE_S);
          return;
        }
        if ((await redis.get(k(key))) === "done") return;
        if (waited > LEASE_MS) return; // give up waiting; the caller goes on (a 422 at worst)
        await new Promise((r) => setTimeout(r, 100));
        waited += 100;
      }
    },
  };
}
