/**
 * The StateStore contract: what every store (memory, Redis) must do. A store's
 * test file calls `describeStoreContract` with a factory; each case gets a
 * fresh store and closes it afterwards, and uses keys of its own, so stores
 * that share a backend (one Redis) do not see each other's cases.
 *
 * Time: cases that need an entry to expire use a TTL of 1 second and call
 * `advance(1_100)`. A store with an injectable clock passes an `advance` that
 * moves its clock; without one, the case really waits (about a second).
 */
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { StateStore } from "../../src/store/state-store.js";

export type AdvanceTime = (ms: number) => Promise<void> | void;

const realTime: AdvanceTime = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function describeStoreContract(name: string, makeStore: () => Promise<StateStore>, advance: AdvanceTime = realTime): void {
  describe(`${name}: the StateStore contract`, () => {
    const open: StateStore[] = [];
    const fresh = async (): Promise<StateStore> => {
      const store = await makeStore();
      open.push(store);
      return store;
    };
    const key = (label: string) => `contract:${label}:${randomUUID()}`;

    afterEach(async () => {
      await Promise.all(open.splice(0).map((store) => store.close()));
    });

    it("answers ping", async () => {
      const store = await fresh();
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it("gives back what was put, exactly, as often as asked", async () => {
      const store = await fresh();
      const k = key("get");
      const value = JSON.stringify({ relayState: "rs=1&x=ø", nested: { list: [1, 2] }, emoji: "🔑" });
      await store.put(k, value, 60);
      expect(await store.get(k)).toBe(value);
      expect(await store.get(k)).toBe(value);
    });

    it("answers undefined for a key never put", async () => {
      const store = await fresh();
      expect(await store.get(key("missing"))).toBeUndefined();
      expect(await store.take(key("missing"))).toBeUndefined();
    });

    it("keeps keys apart", async () => {
      const store = await fresh();
      const a = key("a");
      const b = key("b");
      await store.put(a, "value a", 60);
      await store.put(b, "value b", 60);
      expect(await store.take(a)).toBe("value a");
      expect(await store.get(b)).toBe("value b");
    });

    it("replaces a value put again under the same key", async () => {
      const store = await fresh();
      const k = key("replace");
      await store.put(k, "first", 60);
      await store.put(k, "second", 60);
      expect(await store.get(k)).toBe("second");
    });

    it("takes a value once: a second take, or a get after it, finds nothing", async () => {
      const store = await fresh();
      const k = key("take");
      await store.put(k, "login state", 60);
      expect(await store.take(k)).toBe("login state");
      expect(await store.take(k)).toBeUndefined();
      expect(await store.get(k)).toBeUndefined();
    });

    it("gives a value to exactly one of many concurrent takers", async () => {
      const store = await fresh();
      const k = key("race");
      await store.put(k, "only once", 60);
      const results = await Promise.all(Array.from({ length: 20 }, () => store.take(k)));
      expect(results.filter((r) => r === "only once")).toHaveLength(1);
      expect(results.filter((r) => r === undefined)).toHaveLength(19);
    });

    it("reports a key as seen only after the first call", async () => {
      const store = await fresh();
      const k = key("seen");
      expect(await store.seenBefore(k, 60)).toBe(false);
      expect(await store.seenBefore(k, 60)).toBe(true);
      expect(await store.seenBefore(k, 60)).toBe(true);
      expect(await store.seenBefore(key("other"), 60)).toBe(false);
    });

    it("lets exactly one of many concurrent callers be first to see a key", async () => {
      const store = await fresh();
      const k = key("seen-race");
      const results = await Promise.all(Array.from({ length: 20 }, () => store.seenBefore(k, 60)));
      expect(results.filter((r) => r === false)).toHaveLength(1);
    });

    it("forgets entries once their time to live has passed, and only those", async () => {
      const store = await fresh();
      const short = key("short");
      const taken = key("short-take");
      const long = key("long");
      const seen = key("seen-short");
      await store.put(short, "short-lived", 1);
      await store.put(taken, "short-lived", 1);
      await store.put(long, "long-lived", 60);
      expect(await store.seenBefore(seen, 1)).toBe(false);
      expect(await store.seenBefore(seen, 1)).toBe(true);
      expect(await store.get(short)).toBe("short-lived");

      await advance(1_100);

      expect(await store.get(short)).toBeUndefined();
      expect(await store.take(taken)).toBeUndefined();
      expect(await store.get(long)).toBe("long-lived");
      expect(await store.seenBefore(seen, 1)).toBe(false);
      expect(await store.seenBefore(seen, 1)).toBe(true);
    });
  });
}
