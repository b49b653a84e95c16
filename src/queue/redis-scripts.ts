/** The Lua scripts the Redis queue runs: each is one atomic round trip. */

/** Compare-and-delete: release a lock only if we still hold it. */
export const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;
/**
 * Claim a delivery in one round trip: 0 when its id is known, 2 when its body was delivered before
 * under another id (a replay), else 1: the id is held as pending (a short lease, made lasting once
 * the job is queued, so that a claim whose enqueue failed does not block the redelivery for long),
 * the body's digest is remembered, and the target's newest head recorded.
 * KEYS: delivery, head, body digest. ARGV: keep (s), head ("" for none), has digest ("1"/"0"),
 * pending lease (s), replay window (s).
 */
export const CLAIM = `if redis.call("exists", KEYS[1]) == 1 then return 0 end
if ARGV[3] == "1" and redis.call("exists", KEYS[3]) == 1 then return 2 end
redis.call("set", KEYS[1], "pending", "EX", ARGV[4])
if ARGV[3] == "1" then redis.call("set", KEYS[3], "1", "EX", ARGV[5]) end
if ARGV[2] ~= "" then redis.call("set", KEYS[2], ARGV[2], "EX", ARGV[1]) end
return 1`;
/** How long a claim whose job is not queued yet blocks its id. */
export const PENDING_S = 120;
/** Compare-and-extend. */
export const EXTEND = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;
