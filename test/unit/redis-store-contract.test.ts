/**
 * The StateStore contract on a real Redis, in each topology the broker
 * supports: one server (REDIS_URL or a throwaway one), Sentinel, Cluster.
 */
import { afterAll } from "vitest";
import { describeStoreContract } from "../support/store-contract.js";
import { startTestRedis, type TestRedis } from "../../scripts/lib/redis-server.js";
import { startClusterNode, startSentinelSetup, SENTINEL_MASTER_NAME } from "../support/redis-topologies.js";
import { RedisStore } from "../../src/store/redis-store.js";
import { storeSchema } from "../../src/config/schema.js";

/** Starts a backend once, on first use; stops it after the file. */
function lazily<T extends { stop(): Promise<void> }>(start: () => Promise<T>): () => Promise<T> {
  let started: Promise<T> | undefined;
  afterAll(async () => {
    if (started) await (await started).stop();
  });
  return () => (started ??= start());
}

async function readyStore(config: Record<string, unknown>): Promise<RedisStore> {
  const store = new RedisStore(storeSchema.parse({ commandTimeoutMs: 2_000, connectTimeoutMs: 2_000, ...config }));
  if (!(await store.waitUntilReady(10_000))) {
    await store.close();
    throw new Error(`the Redis store did not connect (${JSON.stringify(config)})`);
  }
  return store;
}

const standalone = lazily<TestRedis>(startTestRedis);
describeStoreContract("RedisStore (one server)", async () => {
  const redis = await standalone();
  return readyStore({ url: redis.url, prefix: redis.prefix });
});

const sentinel = lazily(startSentinelSetup);
describeStoreContract("RedisStore (Sentinel)", async () => {
  const setup = await sentinel();
  return readyStore({
    url: "redis://sentinel-managed",
    prefix: setup.master.prefix,
    sentinel: { name: SENTINEL_MASTER_NAME, nodes: [{ host: "127.0.0.1", port: setup.sentinel.port }] },
  });
});

const cluster = lazily(startClusterNode);
describeStoreContract("RedisStore (Cluster)", async () => {
  const node = await cluster();
  return readyStore({ url: node.url, prefix: node.prefix, cluster: {} });
});
