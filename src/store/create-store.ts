import { MemoryStore } from "./memory-store.js";
import { RedisStore, type RedisStoreLog } from "./redis-store.js";
import type { StateStore } from "./state-store.js";
import type { StoreConfig } from "../config/schema.js";

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
export async function createStore(config: StoreConfig, log?: RedisStoreLog): Promise<StateStore> {
  if (config.url === "memory") return new MemoryStore();
  if (/^rediss?:\/\//.test(config.url)) {
    const store = new RedisStore(config, { log });
    if (!(await store.waitUntilReady(config.connectTimeoutMs))) {
      log?.warn({ event: "store_not_ready", url: redactStoreUrl(config.url) }, "Redis is not reachable yet; login endpoints answer 503 until it is");
    }
    return store;
  }
  throw new Error(`unsupported store url ${redactStoreUrl(config.url)}`);
}
