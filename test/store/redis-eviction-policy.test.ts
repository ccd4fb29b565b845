/**
 * A Redis that may evict keys would forget replay marks (a replay would then
 * pass): the broker reads maxmemory-policy at start and refuses to start
 * unless it is noeviction, or logs an error when configured to warn.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOwnedRedis, type OwnedRedis } from "../../scripts/lib/redis-server.js";
import { storeSchema } from "../../src/config/schema.js";
import { createStore, UnsafeRedisError } from "../../src/store/create-store.js";
import type { StateStore } from "../../src/store/state-store.js";

describe("Redis eviction policy at start", () => {
  let evicting: OwnedRedis;
  let safe: OwnedRedis;

  beforeAll(async () => {
    [evicting, safe] = await Promise.all([
      startOwnedRedis({ extraArgs: () => ["--maxmemory", "64mb", "--maxmemory-policy", "volatile-lru"] }),
      startOwnedRedis({ extraArgs: () => ["--maxmemory-policy", "noeviction"] }),
    ]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([evicting?.stop(), safe?.stop()]);
  });

  const logLines = () => {
    const lines: Array<{ level: string; fields: Record<string, unknown>; message: string }> = [];
    const log = {
      info: (fields: Record<string, unknown>, message: string) => lines.push({ level: "info", fields, message }),
      warn: (fields: Record<string, unknown>, message: string) => lines.push({ level: "warn", fields, message }),
      error: (fields: Record<string, unknown>, message: string) => lines.push({ level: "error", fields, message }),
    };
    return { lines, log };
  };

  it("refuses to start on a Redis with an eviction policy, naming it", async () => {
    const { log } = logLines();
    const config = storeSchema.parse({ url: evicting.url, prefix: evicting.prefix });
    await expect(createStore(config, log)).rejects.toThrow(UnsafeRedisError);
    await expect(createStore(config, log)).rejects.toThrow(/volatile-lru.*noeviction/);
  });

  it("starts with an error line when configured to warn", async () => {
    const { lines, log } = logLines();
    const store: StateStore = await createStore(storeSchema.parse({ url: evicting.url, prefix: evicting.prefix, evictionPolicyCheck: "warn" }), log);
    try {
      expect(lines.some((l) => l.level === "error" && l.fields["event"] === "redis_policy_unsafe")).toBe(true);
      await store.put("k", "v", 10);
      expect(await store.get("k")).toBe("v");
    } finally {
      await store.close();
    }
  });

  it("starts quietly on a noeviction Redis", async () => {
    const { lines, log } = logLines();
    const store = await createStore(storeSchema.parse({ url: safe.url, prefix: safe.prefix }), log);
    await store.close();
    expect(lines.filter((l) => l.level !== "info")).toEqual([]);
  });
});
