/**
 * StateStore on Redis, for several broker instances. Take-once is GETDEL,
 * seen-before is SET NX, every key has an expiry and the deployment's prefix.
 *
 * Any Redis failure (not connected, timeout, error reply) surfaces as
 * StoreUnavailableError, so callers fail closed with a 503 and never hang.
 * The connection is (re)established in the background: the broker starts
 * while Redis is down and recovers when it comes back, without a restart.
 */
import { StoreUnavailableError, type StateStore } from "./state-store.js";
import { createRedisHandle, reconnectDelay, type RedisEvent, type RedisHandle } from "./redis-clients.js";
import type { StoreConfig } from "../config/schema.js";

export interface RedisStoreLog {
  warn(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  error?(fields: Record<string, unknown>, message: string): void;
}

export interface RedisStoreOptions {
  log?: RedisStoreLog;
  /** Builds the handle; tests may substitute one. */
  createHandle?: (config: StoreConfig, onEvent: (event: RedisEvent) => void) => RedisHandle;
}

const QUIET_LOG: RedisStoreLog = { warn() {}, info() {} };
const ERROR_LOG_INTERVAL_MS = 60_000;

export class RedisStore implements StateStore {
  private handle: RedisHandle;
  private closed = false;
  private firstConnection: Promise<void>;
  private retryTimer: NodeJS.Timeout | undefined;
  private healthy = false;
  private lastErrorLoggedAt = 0;
  private readonly log: RedisStoreLog;
  private readonly createHandle: NonNullable<RedisStoreOptions["createHandle"]>;

  constructor(
    private readonly config: StoreConfig,
    options: RedisStoreOptions = {},
  ) {
    this.log = options.log ?? QUIET_LOG;
    this.createHandle = options.createHandle ?? createRedisHandle;
    this.handle = this.newHandle();
    this.firstConnection = this.connectInBackground(0);
  }

  /** Waits up to timeoutMs for the first connection. Returns whether it is connected; never throws. */
  async waitUntilReady(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([this.firstConnection, timeout]);
    clearTimeout(timer);
    return this.handle.isReady();
  }

  /** Every data node's eviction policy (undefined where CONFIG GET is not allowed). */
  evictionPolicies(): Promise<Array<string | undefined>> {
    return this.handle.evictionPolicies();
  }

  async put(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.run("put", (h) => h.set(this.key(key), value, ttlSeconds * 1000, false));
  }

  async take(key: string): Promise<string | undefined> {
    return (await this.run("take", (h) => h.getDel(this.key(key)))) ?? undefined;
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.run("get", (h) => h.get(this.key(key)))) ?? undefined;
  }

  async seenBefore(key: string, ttlSeconds: number): Promise<boolean> {
    const written = await this.run("seenBefore", (h) => h.set(this.key(key), "1", ttlSeconds * 1000, true));
    return !written;
  }

  async ping(): Promise<void> {
    await this.run("ping", (h) => h.ping());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    if (!this.handle.isReady()) {
      this.handle.destroy();
      return;
    }
    // Let pending replies arrive, but not for longer than one command may take.
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.config.commandTimeoutMs);
    });
    await Promise.race([this.handle.close().catch(() => undefined), bound]);
    clearTimeout(timer);
    this.handle.destroy();
  }

  private key(key: string): string {
    return `${this.config.prefix}${key}`;
  }

  /** Runs one command with a deadline; every failure becomes StoreUnavailableError. */
  private async run<T>(operation: string, command: (handle: RedisHandle) => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreUnavailableError("the state store is closed");
    const handle = this.handle;
    if (!handle.isReady()) throw new StoreUnavailableError(`Redis is not connected (${operation})`);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new StoreUnavailableError(`Redis did not answer ${operation} within ${this.config.commandTimeoutMs} ms`)), this.config.commandTimeoutMs);
    });
    try {
      const result = await Promise.race([command(handle), deadline]);
      // Sentinel and Cluster clients recover inside the library without a "ready" event for us.
      if (!this.healthy) this.onEvent({ kind: "ready" });
      return result;
    } catch (error) {
      if (error instanceof StoreUnavailableError) throw error;
      throw new StoreUnavailableError(`Redis ${operation} failed: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  private newHandle(): RedisHandle {
    return this.createHandle(this.config, (event) => this.onEvent(event));
  }

  private onEvent(event: RedisEvent): void {
    if (event.kind === "ready") {
      if (!this.healthy) this.log.info({ event: "store_connected", topology: this.handle.topology }, "connected to Redis");
      this.healthy = true;
      return;
    }
    if (event.kind !== "error") return;
    if (this.healthy) {
      this.healthy = false;
      this.lastErrorLoggedAt = Date.now();
      this.log.warn({ event: "store_connection_lost", reason: "store_unavailable", detail: event.error.message }, "lost the connection to Redis; reconnecting");
    } else if (Date.now() - this.lastErrorLoggedAt >= ERROR_LOG_INTERVAL_MS) {
      // While disconnected, say why now and then (wrong password, refused, ...), not on every retry.
      this.lastErrorLoggedAt = Date.now();
      this.log.warn({ event: "store_still_unavailable", reason: "store_unavailable", detail: event.error.message }, "cannot reach Redis; retrying");
    }
  }

  /**
   * The first connection: a standalone client retries on its own; Sentinel
   * and Cluster clients give up after their discovery fails, so a fresh
   * handle is built and tried again until it works or the store is closed.
   */
  private async connectInBackground(attempt: number): Promise<void> {
    try {
      await this.handle.connect();
    } catch (error) {
      if (this.closed) return;
      if (attempt === 0) this.log.warn({ event: "store_connect_failed", reason: "store_unavailable", detail: (error as Error).message }, "cannot reach Redis yet; retrying");
      this.handle.destroy();
      await new Promise<void>((resolve) => {
        this.retryTimer = setTimeout(resolve, reconnectDelay(attempt));
      });
      if (this.closed) return;
      this.handle = this.newHandle();
      return this.connectInBackground(attempt + 1);
    }
  }
}
