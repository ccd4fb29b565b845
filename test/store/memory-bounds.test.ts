/**
 * The memory store over a working day: bounded by bytes; under pressure the
 * oldest SSO sessions go first, replay marks and logins in flight never; a
 * full store refuses (503) instead of forgetting a replay; and an entry keyed
 * by a slice of a large message does not keep the message alive.
 */
import { describe, expect, it } from "vitest";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { randomBytes } from "node:crypto";
import { MemoryStore } from "../../src/store/memory-store.js";
import { StoreUnavailableError } from "../../src/store/state-store.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

describe("the memory store's budget", () => {
  it("evicts the oldest SSO sessions first to make room, and counts them", async () => {
    const evicted: number[] = [];
    const store = new MemoryStore({ maxBytes: 20_000, events: { onEvicted: (count) => evicted.push(count) } });
    const session = "s".repeat(1000);
    for (let i = 0; i < 8; i++) await store.put(`sso:${i}`, session, 3600);
    await store.seenBefore("assertion:idp:replay-mark", 600);
    await store.put("upstream:login-in-flight", "x".repeat(500), 600);
    // Room for this one only by evicting sessions.
    await store.put("upstream:another-login", "y".repeat(6000), 600);
    expect(evicted.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(await store.get("sso:0")).toBeUndefined();
    expect(await store.get("sso:7")).toBe(session);
    expect(await store.seenBefore("assertion:idp:replay-mark", 600)).toBe(true);
    expect(await store.get("upstream:login-in-flight")).toBeDefined();
    expect(store.bytes).toBeLessThanOrEqual(20_000);
    await store.close();
  });

  it("refuses a new entry when only replay marks and logins in flight are left: never forgets a replay", async () => {
    const full: number[] = [];
    const store = new MemoryStore({ maxBytes: 4_000, events: { onFull: (bytes) => full.push(bytes) } });
    for (let i = 0; i < 10; i++) await store.seenBefore(`assertion:idp:${i}`, 600);
    await expect(async () => {
      for (let i = 0; i < 100; i++) await store.put(`upstream:${i}`, "z".repeat(200), 600);
    }).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(full.length).toBeGreaterThan(0);
    for (let i = 0; i < 10; i++) expect(await store.seenBefore(`assertion:idp:${i}`, 600)).toBe(true);
    await store.close();
  });

  it("frees the budget as entries expire", async () => {
    let now = 1_000_000;
    const store = new MemoryStore({ maxBytes: 10_000, now: () => now });
    for (let i = 0; i < 5; i++) await store.put(`upstream:${i}`, "v".repeat(800), 60);
    now += 61_000;
    await store.put("upstream:late", "w".repeat(3000), 60);
    expect(store.size).toBe(1);
    expect(store.bytes).toBeLessThan(10_000);
    await store.close();
  });

  it("keeps a few hundred bytes per replay mark, not the message its id was cut from", async () => {
    const store = new MemoryStore();
    const marks = 2000;
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < marks; i++) {
      // An assertion id sliced out of a 20 KB decrypted assertion, as the ACS builds its replay key.
      const message = `<saml:Assertion ID="_${randomBytes(20).toString("hex")}">${"x".repeat(20_000)}</saml:Assertion>`;
      const id = message.slice(message.indexOf('"') + 1, message.indexOf('"', message.indexOf('"') + 1));
      // The id itself as the key (and a slice as a value): V8 keeps a slice's parent alive.
      await store.seenBefore(id, 600);
      await store.put(`upstream:${i}`, message.slice(1, 60), 600);
    }
    gc();
    const perMark = (process.memoryUsage().heapUsed - before) / marks;
    expect(store.size).toBe(marks * 2);
    expect(perMark).toBeLessThan(2_000);
    await store.close();
  });
});
