/**
 * In-memory StateStore: the default, for one process. Bounded by bytes, not
 * entries. Expired entries are dropped as they are met and by a sweep. Under
 * pressure the oldest SSO sessions go first (costing a person a new login at
 * their IdP); replay marks and logins in flight are never evicted, so a full
 * store refuses new entries (503) rather than forget a replay.
 *
 * Keys and values are copied on the way in: a key built from a slice of a
 * large message (an assertion ID cut from the decrypted assertion) would
 * otherwise keep the whole message alive for the entry's lifetime.
 */
import { StoreUnavailableError, type StateStore } from "./state-store.js";

interface Entry {
  value: string;
  expiresAt: number;
  bytes: number;
}

/** Entries that may be evicted under pressure, oldest first: browser sessions, which cost a re-login. */
export const EVICTABLE_PREFIXES: readonly string[] = ["sso:", "oidc:Session:"];

/** What one entry costs besides its strings (Map slot, entry object, numbers), roughly. */
const ENTRY_OVERHEAD_BYTES = 120;

export const DEFAULT_MEMORY_STORE_BYTES = 128 * 1024 * 1024;

export interface MemoryStoreEvents {
  /** Sessions evicted to make room (count), and the bytes in use after. */
  onEvicted?(count: number, bytesInUse: number): void;
  /** A new entry was refused: nothing left to evict. */
  onFull?(bytesInUse: number): void;
}

export interface MemoryStoreOptions {
  /** The most bytes (estimated: UTF-16 strings plus per-entry overhead) the store holds. */
  maxBytes?: number;
  /** A hard cap on entries as well (protects against a flood of tiny entries). */
  maxEntries?: number;
  sweepIntervalMs?: number;
  now?: () => number;
  events?: MemoryStoreEvents;
}

/** A copy that shares no memory with the string it came from (V8 keeps sliced strings' parents alive). */
function own(value: string): string {
  return Buffer.from(value, "utf8").toString("utf8");
}

function costOf(key: string, value: string): number {
  return (key.length + value.length) * 2 + ENTRY_OVERHEAD_BYTES;
}

function isEvictable(key: string): boolean {
  return EVICTABLE_PREFIXES.some((prefix) => key.startsWith(prefix));
}

export class MemoryStore implements StateStore {
  private readonly entries = new Map<string, Entry>();
  /** Evictable keys in insertion order (oldest first). */
  private readonly evictable = new Set<string>();
  private readonly maxBytes: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly events: MemoryStoreEvents;
  private readonly sweeper: NodeJS.Timeout;
  private bytesInUse = 0;
  private lastSweep = 0;

  constructor(options: MemoryStoreOptions = {}) {
    this.maxBytes = options.maxBytes ?? DEFAULT_MEMORY_STORE_BYTES;
    this.maxEntries = options.maxEntries ?? 2_000_000;
    this.now = options.now ?? Date.now;
    this.events = options.events ?? {};
    this.sweeper = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 30_000);
    this.sweeper.unref();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Estimated bytes held. */
  get bytes(): number {
    return this.bytesInUse;
  }

  async put(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.store(own(key), own(value), ttlSeconds);
  }

  async take(key: string): Promise<string | undefined> {
    const entry = this.live(key);
    this.remove(key);
    return entry?.value;
  }

  async get(key: string): Promise<string | undefined> {
    return this.live(key)?.value;
  }

  async seenBefore(key: string, ttlSeconds: number): Promise<boolean> {
    if (this.live(key)) return true;
    this.store(own(key), "1", ttlSeconds);
    return false;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.entries.clear();
    this.evictable.clear();
    this.bytesInUse = 0;
  }

  /** Drops every expired entry. */
  sweep(): void {
    const now = this.now();
    this.lastSweep = now;
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.remove(key);
  }

  private store(key: string, value: string, ttlSeconds: number): void {
    const bytes = costOf(key, value);
    this.remove(key);
    this.makeRoom(bytes);
    this.entries.set(key, { value, expiresAt: this.now() + ttlSeconds * 1000, bytes });
    this.bytesInUse += bytes;
    if (isEvictable(key)) this.evictable.add(key);
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.evictable.delete(key);
    this.bytesInUse -= entry.bytes;
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.remove(key);
      return undefined;
    }
    return entry;
  }

  private fits(bytes: number): boolean {
    return this.bytesInUse + bytes <= this.maxBytes && this.entries.size < this.maxEntries;
  }

  /** Expired entries first, then the oldest sessions; refuses when neither frees enough. */
  private makeRoom(bytes: number): void {
    if (this.fits(bytes)) return;
    // A sweep walks every entry: under steady pressure, at most once a second while sessions can be evicted.
    const swept = this.now() - this.lastSweep >= 1000;
    if (swept) this.sweep();
    let evicted = 0;
    for (const key of this.evictable) {
      if (this.fits(bytes)) break;
      this.remove(key);
      evicted += 1;
    }
    if (!this.fits(bytes) && !swept) this.sweep();
    if (evicted > 0) this.events.onEvicted?.(evicted, this.bytesInUse);
    if (!this.fits(bytes)) {
      this.events.onFull?.(this.bytesInUse);
      throw new StoreUnavailableError("state store is full");
    }
  }
}
