/** A login waiting for a step-up keeps the municipal result in the store: sealed, never readable or forgeable there. */
import { describe, expect, it } from "vitest";
import { MemoryStore } from "../../src/store/memory-store.js";
import { LoginStateRepository, type AwaitingUpstream } from "../../src/login/login-state.js";
import type { LoginRequest } from "../../src/model/login-request.js";
import type { UpstreamResult } from "../../src/model/upstream-result.js";
import { samlUpstreamResult } from "../support/upstream-results.js";

const SECRET = "a-broker-secret-that-is-long-enough-0123456789";

const municipal: UpstreamResult = samlUpstreamResult({
  upstreamId: "vest-kommune",
  issuer: "https://idp.vest.test",
  nameId: "C=DK,O=44556677,CN=Karen Vestergaard,Serial=42",
  nameIdFormat: undefined,
  attributes: [{ name: "https://data.gov.dk/model/core/eid/cprNumber", values: ["0101701234"] }],
  level: { nist: 3 },
  authnInstant: "2026-11-23T12:00:00Z",
  assertionId: "_municipal",
});

function state(id: string, completed: UpstreamResult[]): AwaitingUpstream {
  return { request: { correlationId: "c" } as LoginRequest, upstreamId: "nemlogin", upstreamKind: "nemlogin", upstreamRequestId: id, completed };
}

describe("the login state of a step-up", () => {
  it("stores earlier results sealed and gives them back once", async () => {
    const store = new MemoryStore();
    const states = new LoginStateRepository(store, 60, SECRET);
    await states.saveAwaiting(state("_r1", [municipal]));
    const raw = (await store.get("upstream:_r1"))!;
    expect(raw).not.toContain("0101701234");
    expect(raw).not.toContain("Karen");
    expect(JSON.parse(raw)).toMatchObject({ completed: [], upstreamKind: "nemlogin" });
    expect((await states.takeAwaiting("_r1"))?.completed).toEqual([municipal]);
    expect(await states.takeAwaiting("_r1")).toBeUndefined();
  });

  it("stores a first step (nothing earlier) as before", async () => {
    const store = new MemoryStore();
    const states = new LoginStateRepository(store, 60);
    await states.saveAwaiting(state("_r2", []));
    expect((await states.takeAwaiting("_r2"))?.completed).toEqual([]);
  });

  it("fails closed on a tampered seal, a seal for another request, plain earlier results, or another secret", async () => {
    const store = new MemoryStore();
    const states = new LoginStateRepository(store, 60, SECRET);
    await states.saveAwaiting(state("_r3", [municipal]));
    const sealed = JSON.parse((await store.get("upstream:_r3"))!) as { sealedCompleted: string };
    const flipped = `${sealed.sealedCompleted.slice(0, 30)}${sealed.sealedCompleted[30] === "A" ? "B" : "A"}${sealed.sealedCompleted.slice(31)}`;
    await store.put("upstream:_r3", JSON.stringify({ ...state("_r3", []), sealedCompleted: flipped }), 60);
    expect(await states.takeAwaiting("_r3")).toBeUndefined();
    // The seal of one request moved to another.
    await store.put("upstream:_r4", JSON.stringify({ ...state("_r4", []), sealedCompleted: sealed.sealedCompleted }), 60);
    expect(await states.takeAwaiting("_r4")).toBeUndefined();
    // A forged, plain municipal result.
    await store.put("upstream:_r5", JSON.stringify(state("_r5", [municipal])), 60);
    expect(await states.takeAwaiting("_r5")).toBeUndefined();
    // Sealed by an instance with another secret.
    await new LoginStateRepository(store, 60, `${SECRET}-other`).saveAwaiting(state("_r6", [municipal]));
    expect(await states.takeAwaiting("_r6")).toBeUndefined();
  });

  it("refuses to store earlier results without the broker's secret", async () => {
    await expect(new LoginStateRepository(new MemoryStore(), 60).saveAwaiting(state("_r7", [municipal]))).rejects.toThrow(/secret/);
  });
});
