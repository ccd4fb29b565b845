/**
 * Redis goes away and comes back: login endpoints answer 503 with a clear
 * page (and a SAML error for the fagsystem where one is known), readiness
 * says not ready, nothing half-finished survives, and the broker recovers
 * without a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import request from "supertest";
import { createBrokerFixture, SP_ACS_URL, type BrokerFixture } from "./support/broker-fixture.js";
import { idpResponse, postToAcs, readSpAnswer, spRedirectRequest, startLogin } from "./support/saml-peers.js";
import { startOwnedRedis, waitFor, type OwnedRedis } from "../scripts/lib/redis-server.js";
import { MemoryStore } from "../src/store/memory-store.js";
import { StoreUnavailableError } from "../src/store/state-store.js";
import { STATUS } from "../src/saml/namespaces.js";

function backToSystemForm(page: string) {
  const action = /<form method="post" action="([^"]+)"/.exec(page)?.[1];
  const saml = /name="SAMLResponse" value="([^"]+)"/.exec(page)?.[1];
  return { action, saml };
}

describe("when Redis is unreachable", () => {
  let redis: OwnedRedis;
  let fixture: BrokerFixture;

  beforeAll(async () => {
    redis = await startOwnedRedis();
    fixture = await createBrokerFixture({ config: { store: { url: redis.url, prefix: redis.prefix, commandTimeoutMs: 500, connectTimeoutMs: 1_000 } } });
  });

  afterAll(async () => {
    await fixture?.broker.store.close();
    await redis?.stop();
  });

  it("answers 503, reports not ready, leaves no half-finished login, and recovers when Redis returns", async () => {
    expect((await request(fixture.app).get("/health/ready")).status).toBe(200);
    const pending = await startLogin(fixture);
    const pendingResponse = await idpResponse(fixture.keys, { requestId: pending.upstreamRequestId });

    await redis.stop();

    const ready = await request(fixture.app).get("/health/ready");
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ ready: false, store: "unreachable", keys: "ok", trust: "ok" });
    expect((await request(fixture.app).get("/health/live")).status).toBe(200);

    // A new login: the fagsystem is known, so the page offers a SAML error back to it; nothing goes to the IdP.
    const started = Date.now();
    const begin = await request(fixture.app).get(spRedirectRequest(fixture.keys).path);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(begin.status).toBe(503);
    expect(begin.headers["location"]).toBeUndefined();
    expect(begin.headers["retry-after"]).toBe("10");
    expect(begin.text).toContain("Login is temporarily unavailable");
    expect(begin.text).toMatch(/correlation id/);
    expect(begin.text).not.toContain("autosubmit.js");
    const form = backToSystemForm(begin.text);
    expect(form.action).toBe(SP_ACS_URL);
    const answer = readSpAnswer(`<form method="post" action="${form.action}"><input type="hidden" name="SAMLResponse" value="${form.saml}">`);
    expect(answer.statusCode).toBe(STATUS.responder);
    expect(answer.statusMessage).toContain("temporarily unavailable");

    // The IdP answers a login begun before the outage: its state cannot be read, so a page and no answer to anyone.
    const acs = await postToAcs(request.agent(fixture.app), pendingResponse);
    expect(acs.status).toBe(503);
    expect(acs.text).toContain("Login is temporarily unavailable");
    expect(acs.text).not.toContain("SAMLResponse");

    await new Promise((resolve) => setImmediate(resolve));
    expect(fixture.logs.some((line) => line.reason === "store_unavailable")).toBe(true);
    expect(fixture.logs.some((line) => line["event"] === "store_connection_lost")).toBe(true);

    await redis.restart();
    await waitFor("readiness after Redis returns", async () => (await request(fixture.app).get("/health/ready")).status === 200, 15_000, 100);

    const reconnected = fixture.logs.filter((line) => line["event"] === "store_connected");
    expect(reconnected.length).toBeGreaterThanOrEqual(2);

    // Redis came back empty: the interrupted login is gone, never half-finished.
    const late = await postToAcs(request.agent(fixture.app), pendingResponse);
    expect(late.status).toBe(400);
    expect(late.text).not.toContain("SAMLResponse");

    // And a new login goes all the way through.
    const fresh = await startLogin(fixture);
    const done = await postToAcs(fresh.agent, await idpResponse(fixture.keys, { requestId: fresh.upstreamRequestId }));
    expect(done.status).toBe(200);
    expect(readSpAnswer(done.text).statusCode).toBe(STATUS.success);
  });
});

/** Fails the replay check only: the login state was already taken when the store broke. */
class ReplayCacheDown extends MemoryStore {
  override async seenBefore(key: string, ttlSeconds: number): Promise<boolean> {
    if (key.startsWith("assertion:")) throw new StoreUnavailableError("replay cache unreachable");
    return super.seenBefore(key, ttlSeconds);
  }
}

describe("when the store fails after the login state was taken", () => {
  it("answers 503 and lets the person take a SAML error back to the fagsystem", async () => {
    const fixture = await createBrokerFixture({ store: new ReplayCacheDown() });
    const login = await startLogin(fixture);
    const response = await postToAcs(login.agent, await idpResponse(fixture.keys, { requestId: login.upstreamRequestId }));
    expect(response.status).toBe(503);
    const form = backToSystemForm(response.text);
    expect(form.action).toBe(SP_ACS_URL);
    const answer = readSpAnswer(`<form method="post" action="${form.action}"><input type="hidden" name="SAMLResponse" value="${form.saml}">`);
    expect(answer.statusCode).toBe(STATUS.responder);
    expect(answer.document.documentElement.getAttribute("InResponseTo")).toBe(login.spRequestId);
    expect(response.text).not.toContain("Assertion");
    await fixture.broker.store.close();
  });
});
