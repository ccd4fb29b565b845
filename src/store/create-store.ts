import { MemoryStore, type MemoryStoreEvents } from "./memory-store.js";
import { RedisStore, type RedisStoreLog } from "./redis-store.js";
import type { StateStore } from "./state-store.js";
import type { StoreConfig } from "../config/schema.js";
import { ConfigError } from "../config/load-config.js";

/** Redacts credentials in a store URL for logs and messages. */
export function redactStoreUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//***@");
}

/**
 * Chooses the store from configuration: "memory" (default, one process) or
 * redis:// / rediss:// (several instances). A Redis store is returned even
 * when Redis cannot be reached yet: it keeps connecting in the background,
 * and the readiness endpoint says not ready until it can.
 */
export async function createStore(config: StoreConfig, log?: RedisStoreLog, memoryEvents?: MemoryStoreEvents): Promise<StateStore> {
  if (config.url === "memory") return new MemoryStore({ maxBytes: config.memoryMaxMegabytes * 1024 * 1024, events: memoryEvents });
  if (/^rediss?:\/\//.test(config.url)) {
    const store = new RedisStore(config, { log });
    if (!(await store.waitUntilReady(config.connectTimeoutMs))) {
      log?.warn({ event: "store_not_ready", url: redactStoreUrl(config.url) }, "Redis is not reachable yet; login endpoints answer 503 until it is; its eviction policy is not checked");
      return store;
    }
    await checkEvictionPolicy(store, config, log);
    return store;
  }
  throw new Error(`unsupported store url ${redactStoreUrl(config.url)}`);
}

/** Raised when Redis may evict the broker's keys and the configuration says to refuse. */
export class UnsafeRedisError extends ConfigError {
  constructor(message: string) {
    super(message);
    this.name = "UnsafeRedisError";
  }
}

/**
 * A replay mark Redis evicts is a replay the broker accepts: only
 * `noeviction` is safe (every broker key has a time to live, so the
 * volatile-* policies would evict them too). Refuses to start, or logs an
 * error, per `store.evictionPolicyCheck`.
 */
async function checkEvictionPolicy(store: RedisStore, config: StoreConfig, log?: RedisStoreLog): Promise<void> {
  const policies = await store.evictionPolicies();
  const unsafe = policies.filter((p): p is string => p !== undefined && p !== "noeviction");
  const unknown = policies.some((p) => p === undefined);
  if (unknown) log?.warn({ event: "redis_policy_unknown" }, "could not read Redis maxmemory-policy (CONFIG GET not allowed); it must be noeviction, or replay marks can be evicted");
  if (unsafe.length === 0) return;
  const message = `Redis maxmemory-policy is ${[...new Set(unsafe)].join(", ")}: it may evict the broker's replay marks and logins (a replay would then pass). Set maxmemory-policy noeviction (docs/operations-redis.md)`;
  if (config.evictionPolicyCheck === "refuse") {
    await store.close();
    throw new UnsafeRedisError(message);
  }
  (log?.error ?? log?.warn)?.call(log, { event: "redis_policy_unsafe", policies: unsafe }, message);
}
