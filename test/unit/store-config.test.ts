import { describe, expect, it } from "vitest";
import { applyEnvironment, ConfigError, validateConfig } from "../../src/config/load-config.js";

/** A shared store needs the shared secret (test/unit/secrets.test.ts). */
const SECRET = "a-cookie-secret-shared-by-all-instances-0123";

describe("store and SSO configuration", () => {
  it("defaults to the in-memory store and 8 hours of SSO", () => {
    const config = validateConfig({});
    expect(config.store).toMatchObject({ url: "memory", prefix: "broker:", commandTimeoutMs: 2_000 });
    expect(config.timing.ssoMaxAgeSeconds).toBe(8 * 3600);
  });

  it("takes a Redis URL and prefix from the environment", () => {
    const config = validateConfig(applyEnvironment({ cookieSecret: SECRET }, { BROKER_STORE_URL: "rediss://u:p@redis.internal:6380/2", BROKER_STORE_PREFIX: "prod:" }));
    expect(config.store.url).toBe("rediss://u:p@redis.internal:6380/2");
    expect(config.store.prefix).toBe("prod:");
  });

  it("accepts Sentinel and Cluster set-ups", () => {
    const sentinel = validateConfig({ cookieSecret: SECRET, store: { url: "redis://:pw@x/0", sentinel: { name: "mymaster", nodes: [{ host: "s1", port: 26379 }] } } });
    expect(sentinel.store.sentinel?.nodes).toEqual([{ host: "s1", port: 26379 }]);
    const cluster = validateConfig({ cookieSecret: SECRET, store: { url: "redis://n1:6379", cluster: { nodes: [{ host: "n2", port: "6379" }] } } });
    expect(cluster.store.cluster?.nodes).toEqual([{ host: "n2", port: 6379 }]);
  });

  it.each([
    [{ url: "http://redis:6379" }, "store.url"],
    [{ url: "memory", sentinel: { name: "m", nodes: [{ host: "s", port: 1 }] } }, "need a redis:// url"],
    [{ url: "redis://a", sentinel: { name: "m", nodes: [{ host: "s", port: 1 }] }, cluster: {} }, "not both"],
    [{ url: "redis://a", prefix: "has space" }, "prefix"],
    [{ url: "redis://a", sentinel: { name: "m", nodes: [] } }, "store.sentinel.nodes"],
    [{ url: "redis://a", unknown: 1 }, "store"],
  ])("refuses %j", (store, message) => {
    expect(() => validateConfig({ store })).toThrow(ConfigError);
    expect(() => validateConfig({ store })).toThrow(message);
  });

  it("refuses a negative SSO age", () => {
    expect(() => validateConfig({ timing: { ssoMaxAgeSeconds: -1 } })).toThrow("timing.ssoMaxAgeSeconds");
  });
});
