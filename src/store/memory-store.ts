/** In-memory StateStore: the default, for one process. Expired entries are dropped. */
import { StoreUnavailableError, type StateStore } from "./state-store.js";

interface Entry {
  value: string;
  expiresAt: number;
}

export interface MemoryStoreOptions {
  /** Refuse new entries beyond this many (protects memory under a flood). */
  maxEntries?: number;
  sweepIntervalMs?: number;
  now?: () => number;
}

export class MemoryStore implements StateStore {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly sweeper: NodeJS.Timeout;

  constructor(options: MemoryStoreOptions = {}) {
    this.maxEntries = options.maxEntries ?? 500_000;
    this.now = options.now ?? Date.now;
    this.sweeper = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 30_000);
    this.sweeper.unref();
  }

  get size(): number {
    return this.entries.size;
  }

  async put(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.reserve(key);
    this.entries.set(key, { value, expiresAt: this.now() + ttlSeconds * 1000 });
  }

  async take(key: string): Promise<string | undefined> {
    const entry = this.live(key);
    this.entries.delete(key);
    return entry?.value;
  }

  async get(key: string): Promise<string | undefined> {
    return this.live(key)?.value;
  }

  async seenBefore(key: string, ttlSeconds: number): Promise<boolean> {
    if (this.live(key)) return true;
    this.reserve(key);
    this.entries.set(key, { value: "1", expiresAt: this.now() + ttlSeconds * 1000 });
    return false;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.entries.clear();
  }

  /** Drops every expired entry. */
  sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private reserve(key: string): void {
    if (this.entries.size < this.maxEntries || this.entries.has(key)) return;
    this.sweep();
    if (this.entries.size >= this.maxEntries) throw new StoreUnavailableError("state store is full");
  }
}
