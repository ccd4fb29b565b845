/**
 * SSO across fagsystemer: a browser that logged in for one fagsystem is
 * answered for another without the IdP, unless ForceAuthn, another
 * municipality, a level the session lacks, or an expired session says
 * otherwise.
 */
import { beforeAll, describe, expect, it } from "vitest";
import request from "supertest";
import type { Agent } from "supertest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBrokerFixture, fixtureKeys, IDP_ENTITY_ID, IDP_SSO_URL, MUNICIPALITY_CVR, SP_ACS_URL, SP_ENTITY_ID, type BrokerFixture, type FixtureKeys } from "./support/broker-fixture.js";
import { idpResponse, openBrokerAssertion, postToAcs, readSpAnswer, spRedirectRequest, upstreamRequestFrom } from "./support/saml-peers.js";
import { SECOND_SP_ACS_URL, SECOND_SP_ENTITY_ID } from "./support/broker-process.js";
import { idpMetadataXml, spMetadataXml } from "../src/demo/demo-metadata.js";
import { BINDING, NS, STATUS } from "../src/saml/namespaces.js";
import { SSO_COOKIE } from "../src/http/sso-cookie.js";

const OTHER_CVR = "11223344";

/** Two municipalities and two fagsystemer; the second fagsystem's policy is given per test. */
function parties(keys: FixtureKeys, secondSp: Record<string, unknown> = {}): Record<string, unknown> {
  const dir = mkdtempSync(join(tmpdir(), "broker-sso-"));
  const write = (name: string, content: string) => {
    writeFileSync(join(dir, name), content);
    return join(dir, name);
  };
  const sp = (entityId: string, acs: string) => spMetadataXml({ entityId, signing: keys.spSigning, encryption: keys.spEncryption, acsUrls: [acs], authnRequestsSigned: true });
  return {
    secureCookies: "never",
    organisations: [
      { cvr: MUNICIPALITY_CVR, name: "Test Kommune" },
      { cvr: OTHER_CVR, name: "Anden Kommune" },
    ],
    identityProviders: [
      { id: "test-kommune", displayName: "Test Kommune", metadata: write("idp.xml", idpMetadataXml({ entityId: IDP_ENTITY_ID, signing: keys.idpSigning, ssoUrl: IDP_SSO_URL, bindings: [BINDING.redirect] })), cvrs: [MUNICIPALITY_CVR] },
      {
        id: "anden-kommune",
        displayName: "Anden Kommune",
        metadata: write("idp2.xml", idpMetadataXml({ entityId: "https://idp.anden.test", signing: keys.idpSigning, ssoUrl: "https://idp.anden.test/sso", bindings: [BINDING.redirect] })),
        cvrs: [OTHER_CVR],
      },
    ],
    serviceProviders: [
      { id: "test-fagsystem", metadata: write("sp.xml", sp(SP_ENTITY_ID, SP_ACS_URL)) },
      { id: "andet-fagsystem", metadata: write("sp2.xml", sp(SECOND_SP_ENTITY_ID, SECOND_SP_ACS_URL)), ...secondSp },
    ],
  };
}

async function ssoFixture(keys: FixtureKeys, options: { timing?: Record<string, unknown>; secondSp?: Record<string, unknown>; now?: () => number } = {}): Promise<BrokerFixture> {
  return createBrokerFixture({ config: { ...parties(keys, options.secondSp), ...(options.timing ? { timing: options.timing } : {}) }, now: options.now });
}

/** Logs in for the first fagsystem through the IdP; returns the browser (with its cookies) and the Set-Cookie header. */
async function loginFirst(fixture: BrokerFixture, authnAgeMs = 0): Promise<{ agent: Agent; setCookie: string[] }> {
  const agent = request.agent(fixture.app);
  const started = await agent.get(spRedirectRequest(fixture.keys).path);
  expect(started.status).toBe(303);
  const upstream = upstreamRequestFrom(started.headers["location"] as string);
  const done = await postToAcs(agent, await idpResponse(fixture.keys, { requestId: upstream.id, now: Date.now() - authnAgeMs }));
  expect(done.status).toBe(200);
  expect(readSpAnswer(done.text).statusCode).toBe(STATUS.success);
  const header = done.headers["set-cookie"] as unknown as string[] | undefined;
  return { agent, setCookie: header ?? [] };
}

function askSecond(agent: Agent, keys: FixtureKeys, options: { forceAuthn?: boolean } = {}, query = "") {
  return agent.get(spRedirectRequest(keys, { issuer: SECOND_SP_ENTITY_ID, acsUrl: SECOND_SP_ACS_URL, forceAuthn: options.forceAuthn ?? false }, query).path);
}

function ssoCookieOf(setCookie: string[]): string | undefined {
  return setCookie.find((c) => c.startsWith(`${SSO_COOKIE}=`));
}

describe("SSO across fagsystemer", () => {
  let keys: FixtureKeys;
  beforeAll(async () => {
    keys = await fixtureKeys();
  });

  it("answers a second fagsystem from the session, without the IdP, with the original authentication", async () => {
    const fixture = await ssoFixture(keys);
    const { agent, setCookie } = await loginFirst(fixture);
    const cookie = ssoCookieOf(setCookie);
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Max-Age|Expires/i);

    const second = await askSecond(agent, keys);
    expect(second.status).toBe(200);
    expect(second.headers["location"]).toBeUndefined();
    const answer = readSpAnswer(second.text);
    expect(answer.url).toBe(SECOND_SP_ACS_URL);
    expect(answer.statusCode).toBe(STATUS.success);
    const assertion = await openBrokerAssertion(answer, keys);
    expect(assertion.getElementsByTagNameNS(NS.saml, "Audience")[0]!.textContent).toBe(SECOND_SP_ENTITY_ID);
    const cvr = Array.from(assertion.getElementsByTagNameNS(NS.saml, "Attribute")).find((a) => a.getAttribute("Name") === "https://data.gov.dk/model/core/eid/professional/cvr");
    expect(cvr?.textContent).toContain(MUNICIPALITY_CVR);
    await new Promise((resolve) => setImmediate(resolve));
    expect(fixture.logs.some((l) => l["event"] === "login_succeeded" && l["sso"] === true && l["sp"] === "andet-fagsystem")).toBe(true);
  });

  it("goes to the IdP when the fagsystem sets ForceAuthn", async () => {
    const fixture = await ssoFixture(keys);
    const { agent } = await loginFirst(fixture);
    const second = await askSecond(agent, keys, { forceAuthn: true });
    expect(second.status).toBe(303);
    expect(second.headers["location"]).toMatch(/^https:\/\/idp\.kommune\.test\/sso\?SAMLRequest=/);
    expect(upstreamRequestFrom(second.headers["location"] as string).xml).toContain('ForceAuthn="true"');
  });

  it("goes to the IdP when the second fagsystem requires a level the session lacks", async () => {
    const fixture = await ssoFixture(keys, { secondSp: { requiredLevel: { nsis: "High" } } });
    const { agent } = await loginFirst(fixture);
    const second = await askSecond(agent, keys);
    expect(second.status).toBe(303);
    expect(second.headers["location"]).toMatch(/^https:\/\/idp\.kommune\.test\/sso/);
    await new Promise((resolve) => setImmediate(resolve));
    expect(fixture.logs.some((l) => l["event"] === "sso_declined" && l.reason === "level_too_low")).toBe(true);
  });

  it("goes to the other municipality's IdP when the request names another municipality", async () => {
    const fixture = await ssoFixture(keys);
    const { agent } = await loginFirst(fixture);
    const second = await askSecond(agent, keys, {}, "municipality=anden-kommune");
    expect(second.status).toBe(303);
    expect(second.headers["location"]).toMatch(/^https:\/\/idp\.anden\.test\/sso/);
  });

  it("does not answer another browser, nor a tampered cookie", async () => {
    const fixture = await ssoFixture(keys);
    const { setCookie } = await loginFirst(fixture);
    const stranger = await askSecond(request.agent(fixture.app), keys, {}, "municipality=test-kommune");
    expect(stranger.status).toBe(303);
    const value = ssoCookieOf(setCookie)!.split(";")[0]!.slice(SSO_COOKIE.length + 1);
    const tampered = `${value.slice(0, 5)}${value[5] === "A" ? "B" : "A"}${value.slice(6)}`;
    const forged = await request(fixture.app)
      .get(spRedirectRequest(keys, { issuer: SECOND_SP_ENTITY_ID, acsUrl: SECOND_SP_ACS_URL }, "municipality=test-kommune").path)
      .set("Cookie", `${SSO_COOKIE}=${tampered}`);
    expect(forged.status).toBe(303);
    const genuine = await request(fixture.app)
      .get(spRedirectRequest(keys, { issuer: SECOND_SP_ENTITY_ID, acsUrl: SECOND_SP_ACS_URL }, "municipality=test-kommune").path)
      .set("Cookie", `${SSO_COOKIE}=${value}`);
    expect(genuine.status).toBe(200);
  });

  it("does not use a session older than the maximum age", async () => {
    let offset = 0;
    const fixture = await ssoFixture(keys, { timing: { ssoMaxAgeSeconds: 60 }, now: () => Date.now() + offset });
    const { agent } = await loginFirst(fixture);
    offset = 61_000;
    const second = await askSecond(agent, keys);
    expect(second.status).toBe(303);
  });

  it("measures the age from the authentication at the IdP, not from the broker's login", async () => {
    const fixture = await ssoFixture(keys, { timing: { ssoMaxAgeSeconds: 60 } });
    const { agent, setCookie } = await loginFirst(fixture, 70_000);
    expect(ssoCookieOf(setCookie)).toBeUndefined();
    expect((await askSecond(agent, keys)).status).toBe(303);
  });

  it("is off when ssoMaxAgeSeconds is 0", async () => {
    const fixture = await ssoFixture(keys, { timing: { ssoMaxAgeSeconds: 0 } });
    const { agent, setCookie } = await loginFirst(fixture);
    expect(ssoCookieOf(setCookie)).toBeUndefined();
    expect((await askSecond(agent, keys)).status).toBe(303);
  });
});
