/**
 * The three ways to reach Redis (one server, Sentinel, Cluster), each behind
 * the same few commands the state store needs. Reconnection, failover and
 * slot routing are the client library's own; this file only configures it so
 * that commands fail fast while disconnected instead of queueing.
 */
import { createClient, createCluster, createSentinel } from "redis";
import type { StoreConfig } from "../config/schema.js";

/** The commands the Redis state store uses, the same for every topology. */
export interface RedisHandle {
  readonly topology: "standalone" | "sentinel" | "cluster";
  /** SET with a PX expiry; with onlyIfAbsent, NX. Returns whether the value was written. */
  set(key: string, value: string, ttlMs: number, onlyIfAbsent: boolean): Promise<boolean>;
  /** GETDEL: atomic read-and-delete. */
  getDel(key: string): Promise<string | null>;
  get(key: string): Promise<string | null>;
  ping(): Promise<void>;
  /** Every data node's `maxmemory-policy` (undefined where CONFIG is not allowed, as on some managed services). */
  evictionPolicies(): Promise<Array<string | undefined>>;
  /** Connected and able to take commands now. */
  isReady(): boolean;
  /** Resolves once connected the first time; rejects when the first connection fails for good. */
  connect(): Promise<void>;
  /** Waits for pending replies, then disconnects. */
  close(): Promise<void>;
  /** Disconnects at once. */
  destroy(): void;
}

export type RedisEvent = { kind: "error"; error: Error } | { kind: "ready" } | { kind: "reconnecting" };

/** One node's `maxmemory-policy`, or undefined when the server does not allow CONFIG GET. */
async function policyOf(configGet: () => Promise<Record<string, unknown>>): Promise<string | undefined> {
  try {
    const value = (await configGet())["maxmemory-policy"];
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Retry forever with a capped backoff and jitter; never give up (the broker must recover without a restart). */
export function reconnectDelay(retries: number): number {
  return Math.min(50 * 2 ** Math.min(retries, 10), 2_000) + Math.floor(Math.random() * 200);
}

interface UrlParts {
  username: string | undefined;
  password: string | undefined;
  database: number | undefined;
  tls: boolean;
  host: string;
  port: number;
}

export function parseRedisUrl(url: string): UrlParts {
  const parsed = new URL(url);
  const database = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : undefined;
  if (database !== undefined && (!Number.isInteger(database) || database < 0)) throw new Error("the Redis URL's path must be a database number");
  return {
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    database,
    tls: parsed.protocol === "rediss:",
    host: parsed.hostname.replace(/^\[([0-9a-f:]+)\]$/i, "$1"),
    port: parsed.port ? Number(parsed.port) : 6379,
  };
}

/** Destroying an already closed client throws; that is not an error here. */
function quietly(action: () => void): void {
  try {
    action();
  } catch {
    // already closed
  }
}

function setOptions(ttlMs: number, onlyIfAbsent: boolean) {
  const expiration = { type: "PX" as const, value: Math.max(1, Math.ceil(ttlMs)) };
  return onlyIfAbsent ? { expiration, condition: "NX" as const } : { expiration };
}

function socketOptions(config: StoreConfig, tls: boolean, address: { host: string; port: number } | undefined = undefined) {
  const common = { ...address, connectTimeout: config.connectTimeoutMs, reconnectStrategy: reconnectDelay };
  return tls ? { ...common, tls: true as const } : { ...common, tls: false as const };
}

function nodeOptions(config: StoreConfig, parts: UrlParts, address: { host: string; port: number } | undefined = undefined) {
  return {
    username: parts.username,
    password: parts.password,
    database: parts.database,
    disableOfflineQueue: true,
    commandOptions: { timeout: config.commandTimeoutMs },
    socket: socketOptions(config, parts.tls, address),
  };
}

export function createRedisHandle(config: StoreConfig, onEvent: (event: RedisEvent) => void): RedisHandle {
  const parts = parseRedisUrl(config.url);
  const onError = (error: unknown) => onEvent({ kind: "error", error: error instanceof Error ? error : new Error(String(error)) });

  if (config.sentinel) {
    const sentinel = createSentinel({
      name: config.sentinel.name,
      sentinelRootNodes: config.sentinel.nodes,
      nodeClientOptions: nodeOptions(config, parts),
      sentinelClientOptions: {
        username: config.sentinel.username,
        password: config.sentinel.password,
        disableOfflineQueue: true,
        socket: socketOptions(config, parts.tls),
      },
    });
    sentinel.on("error", onError);
    return {
      topology: "sentinel",
      set: async (key, value, ttlMs, onlyIfAbsent) => (await sentinel.set(key, value, setOptions(ttlMs, onlyIfAbsent))) !== null,
      getDel: (key) => sentinel.getDel(key),
      get: (key) => sentinel.get(key),
      ping: async () => {
        await sentinel.ping();
      },
      evictionPolicies: async () => [await policyOf(() => sentinel.configGet("maxmemory-policy"))],
      isReady: () => sentinel.isReady,
      connect: async () => {
        await sentinel.connect();
        onEvent({ kind: "ready" });
      },
      close: () => sentinel.close(),
      destroy: () => quietly(() => sentinel.destroy()),
    };
  }

  if (config.cluster) {
    const seeds = [{ host: parts.host, port: parts.port }, ...config.cluster.nodes];
    const options = nodeOptions(config, parts);
    const cluster = createCluster({
      rootNodes: seeds.map((node) => ({ socket: socketOptions(config, parts.tls, node) })),
      defaults: { username: options.username, password: options.password, disableOfflineQueue: true, socket: options.socket },
      commandOptions: options.commandOptions,
    });
    cluster.on("error", onError);
    let connected = false;
    return {
      topology: "cluster",
      set: async (key, value, ttlMs, onlyIfAbsent) => (await cluster.set(key, value, setOptions(ttlMs, onlyIfAbsent))) !== null,
      getDel: (key) => cluster.getDel(key),
      get: (key) => cluster.get(key),
      ping: async () => {
        if (cluster.masters.length === 0) throw new Error("no cluster masters known");
        for (const master of cluster.masters) await (await cluster.nodeClient(master)).ping();
      },
      evictionPolicies: async () => {
        const policies: Array<string | undefined> = [];
        for (const master of cluster.masters) {
          const node = await cluster.nodeClient(master);
          policies.push(await policyOf(() => node.configGet("maxmemory-policy")));
        }
        return policies;
      },
      isReady: () => connected && cluster.isOpen,
      connect: async () => {
        await cluster.connect();
        connected = true;
        onEvent({ kind: "ready" });
      },
      close: () => cluster.close(),
      destroy: () => quietly(() => cluster.destroy()),
    };
  }

  const client = createClient(nodeOptions(config, parts, { host: parts.host, port: parts.port }));
  client.on("error", onError);
  client.on("ready", () => onEvent({ kind: "ready" }));
  client.on("reconnecting", () => onEvent({ kind: "reconnecting" }));
  return {
    topology: "standalone",
    set: async (key, value, ttlMs, onlyIfAbsent) => (await client.set(key, value, setOptions(ttlMs, onlyIfAbsent))) !== null,
    getDel: (key) => client.getDel(key),
    get: (key) => client.get(key),
    ping: async () => {
      await client.ping();
    },
    evictionPolicies: async () => [await policyOf(() => client.configGet("maxmemory-policy"))],
    isReady: () => client.isReady,
    connect: async () => {
      await client.connect();
    },
    close: () => client.close(),
    destroy: () => quietly(() => client.destroy()),
  };
}
