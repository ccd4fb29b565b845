/**
 * Redis for the benchmark, exactly as the tests get it (scripts/lib/redis-server.ts):
 * REDIS_URL when set, otherwise a throwaway redis-server on a free loopback
 * port without persistence, stopped when the benchmark ends.
 */
import { randomBytes } from "node:crypto";
import { startTestRedis } from "../../scripts/lib/redis-server.js";

export { freePort } from "../../scripts/lib/redis-server.js";

export interface BenchRedis {
  url: string;
  /** Key prefix for this run, so runs can share a REDIS_URL. */
  prefix: string;
  stop(): Promise<void>;
}

export async function startBenchRedis(): Promise<BenchRedis> {
  const redis = await startTestRedis();
  return { url: redis.url, prefix: `bench:${randomBytes(6).toString("hex")}:`, stop: () => redis.stop() };
}
