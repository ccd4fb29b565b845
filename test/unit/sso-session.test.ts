import { describe, expect, it } from "vitest";
import { isSessionId, newSessionId, seal, sessionStoreKey, unseal } from "../../src/login/sso-seal.js";
import { SsoSessionRepository } from "../../src/login/sso-session.js";
import { MemoryStore } from "../../src/store/memory-store.js";
import type { UpstreamResult } from "../../src/model/upstream-result.js";
import { samlUpstreamResult } from "../support/upstream-results.js";

function upstream(authnInstant: string): UpstreamResult {
  return samlUpstreamResult({
    upstreamId: "test-kommune",
    issuer: "https://idp.kommune.test/adfs",
    nameId: "C=DK,O=29189846,CN=Anna Andersen,Serial=12345",
    nameIdFormat: undefined,
    attributes: [{ name: "https://data.gov.dk/model/core/eid/email", values: ["anna@kommune.test"] }],
    level: { nsis: "Substantial" },
    authnInstant,
    assertionId: "_a1",
  });
}

describe("sealed SSO sessions", () => {
  it("opens only with the id it was sealed for, and only intact", () => {
    const id = newSessionId();
    expect(isSessionId(id)).toBe(true);
    const sealed = seal(id, "secret content");
    expect(sealed).not.toContain("secret");
    expect(unseal(id, sealed)).toBe("secret content");
    expect(unseal(newSessionId(), sealed)).toBeUndefined();
    const bytes = Buffer.from(sealed, "base64url");
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 1, bytes.length - 1);
    expect(unseal(id, bytes.toString("base64url"))).toBeUndefined();
    expect(unseal(id, "short")).toBeUndefined();
  });

  it("opens what it sealed after many other ids were sealed in between (the recent-key cache is only a cache)", () => {
    const first = newSessionId();
    const sealedFirst = seal(first, "first");
    const others = Array.from({ length: 600 }, () => newSessionId());
    const sealedOthers = others.map((id, i) => seal(id, `other ${i}`));
    expect(unseal(first, sealedFirst)).toBe("first");
    expect(unseal(others[0]!, sealedOthers[0]!)).toBe("other 0");
    expect(unseal(others[599]!, sealedOthers[0]!)).toBeUndefined();
  });

  it("keys the store by a hash, never by the id itself", () => {
    const id = newSessionId();
    expect(sessionStoreKey(id)).toMatch(/^sso:[0-9a-f]{64}$/);
    expect(sessionStoreKey(id)).not.toContain(id);
  });

  it("finds a session within its maximum age only", async () => {
    let now = Date.parse("2026-11-23T10:00:00Z");
    const store = new MemoryStore({ now: () => now });
    const sessions = new SsoSessionRepository(store, 3600, () => now);
    const id = await sessions.create("test-kommune", [upstream("2026-11-23T09:30:00Z")]);
    expect(id).toBeDefined();
    const found = await sessions.find(id);
    expect(found?.idpId).toBe("test-kommune");
    expect(found?.authenticatedAt).toBe(Date.parse("2026-11-23T09:30:00Z"));
    expect(await sessions.find("not-an-id")).toBeUndefined();
    expect(await sessions.find(newSessionId())).toBeUndefined();
    now += 31 * 60_000;
    expect(await sessions.find(id)).toBeUndefined();
    await store.close();
  });

  it("creates nothing when disabled or when the authentication is already too old", async () => {
    const now = Date.parse("2026-11-23T10:00:00Z");
    const store = new MemoryStore({ now: () => now });
    expect(await new SsoSessionRepository(store, 0, () => now).create("test-kommune", [upstream("2026-11-23T09:59:00Z")])).toBeUndefined();
    expect(await new SsoSessionRepository(store, 600, () => now).create("test-kommune", [upstream("2026-11-23T09:40:00Z")])).toBeUndefined();
    expect(store.size).toBe(0);
    await store.close();
  });
});
