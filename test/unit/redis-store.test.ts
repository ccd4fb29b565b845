/**
 * What only the Redis store does (the shared contract is in the contract
 * suite): keys carry the prefix and an expiry, failures become
 * StoreUnavailableError fast, and the store recovers when Redis comes back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "redis";
import { RedisStore } from "../../src/store/redis-store.js";
import { StoreUnavailableError } from "../../src/store/state-store.js";
import { storeSchema } from "../../src/config/schema.js";
import { startOwnedRedis, startTestRedis, waitFor, type OwnedRedis, type TestRedis } from "../../scripts/lib/redis-server.js";

function storeConfig(url: string, prefix: string, extra: Record<string, unknown> = {}) {
  return storeSchema.parse({ url, prefix, commandTimeoutMs: 300, connectTimeoutMs: 1_000, ...extra });
}

describe("RedisStore on a real Redis", () => {
  let redis: TestRedis;
  let store: RedisStore;
  let raw: ReturnType<typeof createClient>;

  beforeAll(async () => {
    redis = await startTestRedis();
    store = new RedisStore(storeConfig(redis.url, redis.prefix));
    expect(await store.waitUntilReady(5_000)).toBe(true);
    raw = createClient({ url: redis.url });
    raw.on("error", () => {});
    await raw.connect();
  });

  afterAll(async () => {
    await store?.close();
    await raw?.close();
    await redis?.stop();
  });

  it("stores every key under the deployment prefix with an expiry", async () => {
    await store.put("upstream:_abc", "{\"a\":1}", 120);
    expect(await raw.get(`${redis.prefix}upstream:_abc`)).toBe("{\"a\":1}");
    const ttl = await raw.pTTL(`${redis.prefix}upstream:_abc`);
    expect(ttl).toBeGreaterThan(110_000);
    expect(ttl).toBeLessThanOrEqual(120_000);
    expect(await raw.get("upstream:_abc")).toBeNull();

    expect(await store.seenBefore("assertion:x", 30)).toBe(false);
    const replayTtl = await raw.pTTL(`${redis.prefix}assertion:x`);
    expect(replayTtl).toBeGreaterThan(25_000);
    expect(replayTtl).toBeLessThanOrEqual(30_000);
  });

  it("does not see keys of another prefix", async () => {
    const other = new RedisStore(storeConfig(redis.url, `${redis.prefix}other:`));
    try {
      expect(await other.waitUntilReady(5_000)).toBe(true);
      await store.put("shared-name", "mine", 60);
      expect(await other.get("shared-name")).toBeUndefined();
      expect(await other.seenBefore("shared-name", 60)).toBe(false);
      expect(await store.get("shared-name")).toBe("mine");
    } finally {
      await other.close();
    }
  });

  it("gives a value to exactly one of many concurrent takers", async () => {
    await store.put("race", "prize", 60);
    const results = await Promise.all(Array.from({ length: 20 }, () => store.take("race")));
    expect(results.filter((r) => r === "prize")).toHaveLength(1);
    const marks = await Promise.all(Array.from({ length: 20 }, () => store.seenBefore("race-mark", 60)));
    expect(marks.filter((seen) => !seen)).toHaveLength(1);
  });

  it("refuses work once closed", async () => {
    const closing = new RedisStore(storeConfig(redis.url, redis.prefix));
    expect(await closing.waitUntilReady(5_000)).toBe(true);
    await closing.close();
    await expect(closing.get("x")).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});

describe("RedisStore when Redis fails", () => {
  let redis: OwnedRedis;
  let store: RedisStore;

  beforeAll(async () => {
    redis = await startOwnedRedis();
    store = new RedisStore(storeConfig(redis.url, redis.prefix));
    expect(await store.waitUntilReady(5_000)).toBe(true);
  });

  afterAll(async () => {
    await store?.close();
    await redis?.stop();
  });

  it("fails fast with StoreUnavailableError while Redis is down, and recovers when it returns", async () => {
    await store.put("before", "1", 60);
    await redis.stop();
    for (const attempt of [() => store.get("before"), () => store.take("before"), () => store.put("k", "v", 60), () => store.seenBefore("k", 60), () => store.ping()]) {
      const started = Date.now();
      await expect(attempt()).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(Date.now() - started).toBeLessThan(1_000);
    }
    await redis.restart();
    await waitFor("the store to reconnect", async () => store.ping().then(() => true, () => false), 10_000, 100);
    await store.put("after", "2", 60);
    expect(await store.take("after")).toBe("2");
  });

  it("times out a command that gets no answer instead of hanging", async () => {
    const pid = redis.pid();
    process.kill(pid, "SIGSTOP");
    try {
      const started = Date.now();
      await expect(store.get("anything")).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      process.kill(pid, "SIGCONT");
    }
    await waitFor("the store to answer again", async () => store.ping().then(() => true, () => false), 10_000, 100);
  });

  it("starts while Redis is down and connects when it comes up", async () => {
    const late = await startOwnedRedis();
    await late.stop();
    const waiting = new RedisStore(storeConfig(late.url, late.prefix));
    try {
      expect(await waiting.waitUntilReady(300)).toBe(false);
      await expect(waiting.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
      await late.restart();
      await waitFor("the late store to connect", async () => waiting.ping().then(() => true, () => false), 10_000, 100);
      expect(await waiting.seenBefore("first", 60)).toBe(false);
    } finally {
      await waiting.close();
      await late.stop();
    }
  });
});
