/** Configuration versions on Redis, shared by every replica (see config-cache.ts). */
import { Redis } from "ioredis";
import type { VersionStore } from "./config-cache.js";

export function redisVersions(url: string, prefix: string): VersionStore {
  const redis = new Redis(url, { maxRetriesPerRequest: 2, lazyConnect: true });
  const key = (k: string) => `${prefix}:config-version:${k}`;
  return {
    async get(keys) {
      return keys.length === 0 ? [] : await redis.mget(keys.map(key));
    },
    async bump(k) {
      await redis.incr(key(k));
    },
  };
}
