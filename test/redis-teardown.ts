/**
 * After the run: remove the keys the tests left on the shared Redis (each test used its own
 * prefix, so runs never meet; this keeps the machine's Redis from filling up across runs).
 */
import { Redis } from "ioredis";

const PREFIXES = ["ad-test-", "ad-faults-", "ad-labels-", "ad-config-", "ad-load-"];

export async function removeTestKeys(url = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379") {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 1000 });
  let removed = 0;
  try {
    await redis.connect();
    for (const prefix of PREFIXES) {
      let cursor = "0";
      do {
        const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
        cursor = next;
        if (keys.length > 0) removed += await redis.unlink(keys);
      } while (cursor !== "0");
    }
  } catch {
    // No Redis here: nothing to remove.
  } finally {
    redis.disconnect();
  }
  return removed;
}

export default function setup() {
  return async () => {
    await removeTestKeys();
  };
}
