/**
 * Login CSRF at the upstream: the broker's login at the municipal IdP is bound
 * to the browser it sent there (a cookie per login, checked at the ACS). An
 * IdP Response carried into another browser (no cookie, or another value) is
 * refused: a page for the person, a SAML error for the fagsystem, a log line
 * and a counted rejection. Real signed and encrypted Responses over real HTTP.
 */
import { describe, expect, it } from "vitest";
import request from "supertest";
import { createBrokerFixture, logReasons, type BrokerFixture } from "../support/broker-fixture.js";
import { idpResponse, readSpAnswer, spRedirectRequest, upstreamRequestFrom } from "../support/saml-peers.js";
import { encodePostMessage } from "../../src/saml/post-binding.js";
import { STATUS } from "../../src/saml/namespaces.js";
import { metricsRegistry } from "../../src/observability/metrics.js";
import { upstreamBindingEnforced } from "../../src/login/browser-binding.js";

interface Started {
  upstreamRequestId: string;
  /** The binding cookie as the browser would send it back (name=value), if one was set. */
  cookie: string | undefined;
  setCookie: string | undefined;
}

/** The fagsystem's AuthnRequest in a fresh browser; the broker sends the person on to the IdP. */
async function start(fixture: BrokerFixture): Promise<Started> {
  const { path } = spRedirectRequest(fixture.keys, { destination: `${fixture.config.baseUrl}/saml/sso` });
  const response = await request(fixture.app).get(path);
  expect(response.status).toBe(303);
  const upstream = upstreamRequestFrom(response.headers["location"] as string);
  const setCookie = ((response.headers["set-cookie"] as unknown as string[] | undefined) ?? []).find((c) => c.startsWith("broker_upbind_"));
  return { upstreamRequestId: upstream.id, setCookie, cookie: setCookie?.split(";")[0] };
}

async function answer(fixture: BrokerFixture, started: Started, cookie: string | undefined): Promise<request.Response> {
  const xml = await idpResponse(fixture.keys, { requestId: started.upstreamRequestId });
  const post = request(fixture.app).post("/saml/acs").type("form");
  if (cookie !== undefined) post.set("Cookie", cookie);
  return post.send({ SAMLResponse: encodePostMessage(xml) });
}

async function rejections(reason: string): Promise<number> {
  const metric = (await metricsRegistry.getSingleMetric("broker_rejections_total")?.get())?.values.find((v) => v.labels["reason"] === reason);
  return metric?.value ?? 0;
}

describe("the login at the upstream IdP is bound to the browser sent there", () => {
  it("on an https broker (auto) sends the person on with a per-login cookie: HttpOnly, Secure, SameSite=None, only for the ACS", async () => {
    const fixture = await createBrokerFixture({ config: { upstreamBrowserBinding: "auto" } });
    const started = await start(fixture);
    expect(started.setCookie).toMatch(/^broker_upbind_[a-f0-9]{24}=[a-f0-9]{40};/);
    expect(started.setCookie).toContain("Path=/saml/acs");
    expect(started.setCookie).toContain("HttpOnly");
    expect(started.setCookie).toContain("Secure");
    expect(started.setCookie).toContain("SameSite=None");
    expect(started.setCookie).toContain(`Max-Age=${fixture.config.timing.loginTtlSeconds}`);
  });

  it("completes the login when the answer comes back in the same browser, and removes the cookie", async () => {
    const fixture = await createBrokerFixture({ config: { upstreamBrowserBinding: "auto" } });
    const started = await start(fixture);
    const response = await answer(fixture, started, started.cookie);
    expect(response.status).toBe(200);
    expect(readSpAnswer(response.text).statusCode).toBe(STATUS.success);
    const cleared = ((response.headers["set-cookie"] as unknown as string[] | undefined) ?? []).find((c) => c.startsWith(started.cookie!.split("=")[0]!));
    expect(cleared).toContain("Max-Age=0");
    expect(cleared).toContain("Path=/saml/acs");
  });

  it("refuses an answer delivered in another browser (no cookie): page with correlation id, SAML error to the fagsystem, log line, counted", async () => {
    const fixture = await createBrokerFixture({ config: { upstreamBrowserBinding: "auto" } });
    const before = await rejections("browser_binding_missing");
    const attackers = await start(fixture);
    // The attacker's own valid Response, posted in the victim's browser (which holds no cookie for that login).
    const response = await answer(fixture, attackers, undefined);
    expect(response.status).toBe(200);
    expect(response.text).toContain("kom ikke tilbage til den browser, der startede loginet");
    expect(response.text).toContain("did not come back to the browser that started the login");
    expect(response.text).toContain(response.headers["x-correlation-id"] as string);
    const toSp = readSpAnswer(response.text);
    expect(toSp.statusCode).toBe(STATUS.responder);
    expect(toSp.subStatusCode).toBe(STATUS.authnFailed);
    expect(toSp.xml).not.toContain("Assertion");
    expect(await logReasons(fixture)).toContain("browser_binding_missing");
    expect(await rejections("browser_binding_missing")).toBe(before + 1);
  });

  it("refuses an answer whose browser holds the login's cookie with another value", async () => {
    const fixture = await createBrokerFixture({ config: { upstreamBrowserBinding: "auto" } });
    const started = await start(fixture);
    const forged = `${started.cookie!.split("=")[0]!}=${"0".repeat(40)}`;
    const response = await answer(fixture, started, forged);
    expect(readSpAnswer(response.text).statusCode).toBe(STATUS.responder);
    expect(await logReasons(fixture)).toContain("browser_binding_mismatch");
  });

  it("lets two logins in one browser (two tabs) both complete: each login has its own cookie", async () => {
    const fixture = await createBrokerFixture({ config: { upstreamBrowserBinding: "auto" } });
    const first = await start(fixture);
    const second = await start(fixture);
    expect(first.cookie!.split("=")[0]).not.toBe(second.cookie!.split("=")[0]);
    const jar = `${first.cookie!}; ${second.cookie!}`;
    const secondDone = await answer(fixture, second, jar);
    expect(readSpAnswer(secondDone.text).statusCode).toBe(STATUS.success);
    const firstDone = await answer(fixture, first, first.cookie);
    expect(readSpAnswer(firstDone.text).statusCode).toBe(STATUS.success);
  });

  it("off: no cookie is set and an answer without one completes", async () => {
    const fixture = await createBrokerFixture({ config: { upstreamBrowserBinding: "off" } });
    const started = await start(fixture);
    expect(started.setCookie).toBeUndefined();
    expect(readSpAnswer((await answer(fixture, started, undefined)).text).statusCode).toBe(STATUS.success);
  });

  it("auto on a plain-http broker: not enforced (browsers set no SameSite=None cookie without https)", async () => {
    const fixture = await createBrokerFixture({ config: { upstreamBrowserBinding: "auto", baseUrl: "http://broker.test" } });
    const started = await start(fixture);
    expect(started.setCookie).toBeUndefined();
  });

  it("always on a plain-http broker: enforced with a SameSite=Lax cookie (same-site setups only)", async () => {
    const fixture = await createBrokerFixture({ config: { upstreamBrowserBinding: "always", baseUrl: "http://broker.test" } });
    const started = await start(fixture);
    expect(started.setCookie).toContain("SameSite=Lax");
    expect(started.setCookie).not.toContain("Secure");
    expect(upstreamBindingEnforced("always", "http://broker.test")).toBe(true);
    expect(upstreamBindingEnforced("auto", "http://broker.test")).toBe(false);
    expect(upstreamBindingEnforced("auto", "https://broker.test")).toBe(true);
    expect(upstreamBindingEnforced("off", "https://broker.test")).toBe(false);
  });
});
