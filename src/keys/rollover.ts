/**
 * The operator's signing rollover, shared by every instance: a mark in the
 * state store (named by the next signing certificate, so a mark for an older
 * rollover never switches a newer one). `npm run keys -- rollover` or SIGUSR2
 * to one process sets it; each instance looks for it every few seconds.
 */
import { createHash } from "node:crypto";
import type { StateStore } from "../store/state-store.js";
import type { Logger } from "../observability/logger.js";
import type { KeyMaterial } from "./key-material.js";
import type { KeyRing } from "./key-ring.js";

const MARK_TTL_SECONDS = 400 * 86_400;

export function rolloverMarkKey(nextSigning: KeyMaterial): string {
  return `keys:rollover:${createHash("sha256").update(Buffer.from(nextSigning.certificateBase64, "base64")).digest("hex")}`;
}

/** Sets the mark: every instance signs with the next key from its next look. */
export async function requestRollover(store: StateStore, nextSigning: KeyMaterial): Promise<void> {
  await store.put(rolloverMarkKey(nextSigning), new Date().toISOString(), MARK_TTL_SECONDS);
}

/** Looks for the mark every `intervalMs` until stopped; switches the ring (once) when it appears. */
export function watchRollover(ring: KeyRing, nextSigning: KeyMaterial | undefined, store: StateStore, log: Logger, intervalMs = 5_000): () => void {
  if (!nextSigning) return () => undefined;
  const key = rolloverMarkKey(nextSigning);
  let stopped = false;
  const look = async () => {
    if (stopped || ring.signingSwitched) return;
    try {
      const at = await store.get(key);
      if (at !== undefined && !ring.signingSwitched && ring.switchSigning()) {
        log.info({ event: "key_rollover", use: "signing", requestedAt: at }, "signing with the next key (rollover requested)");
      }
    } catch (error) {
      log.warn({ event: "key_rollover_check_failed", detail: (error as Error).message }, "could not look for a key rollover in the store");
    }
  };
  const timer = setInterval(() => void look(), intervalMs);
  timer.unref();
  void look();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
