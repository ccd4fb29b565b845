/**
 * `rollover` (and `npm run keys -- rollover`): every instance sharing the
 * configured store signs with keys.next.signing from its next look (within
 * seconds). With the memory store there is no shared store to tell: signal the
 * one process instead (SIGUSR2).
 */
import type { BrokerConfig } from "../config/schema.js";
import { loadKeyMaterial } from "../keys/key-material.js";
import { requestRollover, rolloverMarkKey } from "../keys/rollover.js";
import { createStore } from "../store/create-store.js";
import { createLogger } from "../observability/logger.js";

export async function rolloverKeys(config: BrokerConfig): Promise<{ ok: boolean; message: string }> {
  const next = config.keys.next;
  if (!next) return { ok: false, message: "keys.next is not configured: configure the next signing and encryption keys first (and let the parties fetch the metadata that publishes them)" };
  if (config.store.url === "memory") {
    return { ok: false, message: "the memory store belongs to one process: send it SIGUSR2 (kill -USR2 <pid>) to sign with the next key" };
  }
  const signing = loadKeyMaterial(next.signing.key, next.signing.cert);
  const store = await createStore(config.store, createLogger("warn", undefined, config.environment));
  try {
    await requestRollover(store, signing);
  } finally {
    await store.close();
  }
  return { ok: true, message: `rollover requested (${rolloverMarkKey(signing)}): every instance signs with ${next.signing.cert} within seconds` };
}
