import { afterEach, describe, expect, it } from "vitest";
import { MemoryStore } from "../../src/store/memory-store.js";
import { StoreUnavailableError } from "../../src/store/state-store.js";
import { describeStoreContract } from "../support/store-contract.js";

/** A clock the tests move by hand. */
function manualClock(start = 1_700_000_000_000) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const contractClock = manualClock();
describeStoreContract("MemoryStore", async () => new MemoryStore({ now: contractClock.now }), contractClock.advance);

describe("MemoryStore", () => {
  const stores: MemoryStore[] = [];
  const store = (options: ConstructorParameters<typeof MemoryStore>[0] = {}) => {
    const created = new MemoryStore(options);
    stores.push(created);
    return created;
  };
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });

  it("keeps an entry until exactly its time to live has passed", async () => {
    const clock = manualClock();
    const s = store({ now: clock.now });
    await s.put("k", "v", 10);
    clock.advance(9_999);
    expect(await s.get("k")).toBe("v");
    clock.advance(1);
    expect(await s.get("k")).toBeUndefined();
  });

  it("restarts the time to live when a value is put again", async () => {
    const clock = manualClock();
    const s = store({ now: clock.now });
    await s.put("k", "old", 10);
    clock.advance(8_000);
    await s.put("k", "new", 10);
    clock.advance(8_000);
    expect(await s.take("k")).toBe("new");
  });

  it("forgets a seen key after its time to live, then sees it again", async () => {
    const clock = manualClock();
    const s = store({ now: clock.now });
    expect(await s.seenBefore("assertion:_1", 5)).toBe(false);
    clock.advance(4_000);
    expect(await s.seenBefore("assertion:_1", 5)).toBe(true);
    clock.advance(1_000);
    expect(await s.seenBefore("assertion:_1", 5)).toBe(false);
    expect(await s.seenBefore("assertion:_1", 5)).toBe(true);
  });

  it("a repeated seenBefore does not extend the original time to live", async () => {
    const clock = manualClock();
    const s = store({ now: clock.now });
    expect(await s.seenBefore("k", 5)).toBe(false);
    clock.advance(3_000);
    expect(await s.seenBefore("k", 5)).toBe(true);
    clock.advance(2_000);
    expect(await s.seenBefore("k", 5)).toBe(false);
  });

  it("sweep drops every expired entry and keeps live ones", async () => {
    const clock = manualClock();
    const s = store({ now: clock.now });
    await s.put("a", "1", 1);
    await s.put("b", "2", 1);
    await s.seenBefore("c", 1);
    await s.put("live", "3", 60);
    expect(s.size).toBe(4);
    clock.advance(1_000);
    expect(s.size).toBe(4);
    s.sweep();
    expect(s.size).toBe(1);
    expect(await s.get("live")).toBe("3");
  });

  it("sweeps on its own timer", async () => {
    const clock = manualClock();
    const s = store({ now: clock.now, sweepIntervalMs: 20 });
    await s.put("a", "1", 1);
    clock.advance(2_000);
    expect(s.size).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(s.size).toBe(0);
  });

  it("refuses new entries beyond maxEntries with StoreUnavailableError", async () => {
    const s = store({ maxEntries: 3 });
    await s.put("a", "1", 60);
    await s.put("b", "2", 60);
    await s.put("c", "3", 60);
    await expect(s.put("d", "4", 60)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(s.seenBefore("e", 60)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(s.size).toBe(3);
    expect(await s.get("d")).toBeUndefined();
  });

  it("still replaces an existing key when full, and accepts new keys once room is made", async () => {
    const s = store({ maxEntries: 2 });
    await s.put("a", "1", 60);
    await s.put("b", "2", 60);
    await s.put("a", "1 again", 60);
    expect(await s.get("a")).toBe("1 again");
    expect(await s.take("b")).toBe("2");
    await s.put("c", "3", 60);
    expect(await s.get("c")).toBe("3");
  });

  it("makes room from expired entries before refusing", async () => {
    const clock = manualClock();
    const s = store({ maxEntries: 2, now: clock.now });
    await s.put("a", "1", 1);
    await s.put("b", "2", 60);
    await expect(s.put("c", "3", 60)).rejects.toThrow(StoreUnavailableError);
    clock.advance(1_000);
    await s.put("c", "3", 60);
    expect(await s.get("c")).toBe("3");
    expect(await s.get("b")).toBe("2");
    expect(s.size).toBe(2);
  });

  it("is empty after close", async () => {
    const s = store();
    await s.put("a", "1", 60);
    await s.close();
    expect(s.size).toBe(0);
    expect(await s.get("a")).toBeUndefined();
  });
});
