/**
 * The one state interface: login state between redirects, replay caches and
 * (later) SSO sessions all go through it. Values are strings (JSON); every
 * entry has a time to live. Implementations: in-memory (default) and Redis.
 */
export interface StateStore {
  /** Stores a value, replacing any previous one, for ttlSeconds. */
  put(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Returns the value and deletes it, atomically: at most one caller ever gets it. */
  take(key: string): Promise<string | undefined>;
  /** Returns the value without deleting it. */
  get(key: string): Promise<string | undefined>;
  /**
   * Marks a key as seen for ttlSeconds. Returns true when it had been seen
   * before (a replay), false when this call was the first. Atomic.
   */
  seenBefore(key: string, ttlSeconds: number): Promise<boolean>;
  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class StoreUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StoreUnavailableError";
  }
}
