/**
 * Single Logout across two broker processes sharing one Redis: the logout
 * begins on instance A, the second fagsystem's frame and its answer go to
 * instance B, the IdP's answer comes back to A, and the summary and the
 * LogoutResponse to the first fagsystem are right. Every message the test
 * receives is verified with the broker's key; every one it sends is signed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BROKER_BASE, BROKER_ENTITY_ID, IDP_ENTITY_ID, SP_ENTITY_ID, fixtureKeys, type FixtureKeys } from "../support/broker-fixture.js";
import { idpResponse, openBrokerAssertion, readSpAnswer, spRedirectRequest, upstreamRequestFrom } from "../support/saml-peers.js";
import { startTestRedis, type TestRedis } from "../../scripts/lib/redis-server.js";
import { SECOND_SP_ACS_URL, SECOND_SP_ENTITY_ID, startBrokerProcess, writeConfigFolder, type BrokerProcess } from "../support/broker-process.js";
import { encodePostMessage } from "../../src/saml/post-binding.js";
import { decodeRedirect, verifyRedirectSignature } from "../../src/saml/redirect-binding.js";
import { parseXml } from "../../src/xml/xml-parser.js";
import { buildLogoutRequest, readLogoutRequest, readLogoutResponse } from "../../src/saml/logout-messages.js";
import { logoutResponseThroughBrowser } from "../../src/saml/logout-to-party.js";
import { encodeRedirect } from "../../src/saml/redirect-binding.js";
import { SIGNATURE_ALGORITHM } from "../../src/saml/algorithms.js";
import { BINDING, NS, STATUS } from "../../src/saml/namespaces.js";
import { samlInstant } from "../../src/saml/saml-time.js";
import type { KeyMaterial } from "../../src/keys/key-material.js";

describe("Single Logout across two instances on one Redis", () => {
  let redis: TestRedis;
  let keys: FixtureKeys;
  let a: BrokerProcess | undefined;
  let b: BrokerProcess | undefined;

  beforeAll(async () => {
    keys = await fixtureKeys();
    redis = await startTestRedis();
    const dir = writeConfigFolder(keys, { store: { url: redis.url, prefix: redis.prefix } });
    [a, b] = await Promise.all([startBrokerProcess(dir), startBrokerProcess(dir)]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  }, 60_000);

  const get = (instance: BrokerProcess, path: string, cookie?: string) =>
    fetch(`${instance.url}${path}`, { headers: cookie ? { cookie } : {}, redirect: "manual", signal: AbortSignal.timeout(10_000) });
  /** A URL for the broker (its public base) sent to one instance. */
  const at = (instance: BrokerProcess, url: string) => url.replace(BROKER_BASE, instance.url).replace(/^https:\/\/broker\.test/, instance.url);

  /** A signed LogoutResponse from `issuer` to the broker's SLO, by HTTP-Redirect, as a path on `instance`. */
  function answerFrom(instance: BrokerProcess, issuer: string, key: KeyMaterial, inResponseTo: string): string {
    const sender = { issuer, signing: { key, algorithm: SIGNATURE_ALGORITHM.rsaSha256 }, now: Date.now(), lifetimeMs: 60_000 };
    const broker = { entityId: BROKER_ENTITY_ID, singleLogoutServices: [{ binding: BINDING.redirect, location: `${BROKER_BASE}/saml/slo`, responseLocation: undefined }], signingCertificates: [], allowSha1: false };
    const answer = logoutResponseThroughBrowser(sender, broker, inResponseTo, { status: STATUS.success }, undefined);
    if (answer?.kind !== "redirect") throw new Error("expected a redirect");
    return at(instance, answer.url).slice(instance.url.length);
  }

  /** The broker's signed LogoutRequest at a party's SLO URL, verified with the broker's key. */
  function brokerRequestAt(location: string, partySlo: string) {
    expect(location.startsWith(`${partySlo}?SAMLRequest=`)).toBe(true);
    const message = decodeRedirect(location.slice(location.indexOf("?") + 1), { maxEncodedBytes: 100_000, maxInflatedBytes: 100_000, maxRelayStateBytes: 1000 });
    verifyRedirectSignature(message, [keys.brokerSigning.certificatePem], { allowSha1: false });
    return readLogoutRequest(parseXml(message.xml).documentElement);
  }

  it("begins on A, takes the second fagsystem's answer on B and the IdP's on A, and answers the first fagsystem Success", async () => {
    // Anna logs in to the first fagsystem on A, and is answered for the second on B from the SSO session.
    const started = await get(a!, spRedirectRequest(keys).path);
    const upstream = upstreamRequestFrom(started.headers.get("location")!);
    const completed = await fetch(`${a!.url}/saml/acs`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ SAMLResponse: encodePostMessage(await idpResponse(keys, { requestId: upstream.id })) }).toString(),
      redirect: "manual",
    });
    const first = readSpAnswer(await completed.text());
    const cookie = completed.headers.getSetCookie().find((c) => c.startsWith("broker_sso="))!.split(";")[0]!;
    const assertion = await openBrokerAssertion(first, keys);
    const nameId = assertion.getElementsByTagNameNS(NS.saml, "NameID")[0]!.textContent!;
    const sessionIndex = assertion.getElementsByTagNameNS(NS.saml, "AuthnStatement")[0]!.getAttribute("SessionIndex")!;
    const second = await get(b!, spRedirectRequest(keys, { issuer: SECOND_SP_ENTITY_ID, acsUrl: SECOND_SP_ACS_URL }, "").path, cookie);
    expect(readSpAnswer(await second.text()).statusCode).toBe(STATUS.success);

    // The first fagsystem logs out on A, naming its SessionIndex.
    const logoutXml = buildLogoutRequest({
      id: "_sp-logout-1",
      issueInstant: samlInstant(Date.now()),
      notOnOrAfter: samlInstant(Date.now() + 60_000),
      issuer: SP_ENTITY_ID,
      destination: `${BROKER_BASE}/saml/slo`,
      nameId,
      nameIdFormat: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
      sessionIndex,
    });
    const logoutUrl = encodeRedirect(`${a!.url}/saml/slo`, "SAMLRequest", logoutXml, "sp-relay", { privateKey: keys.spSigning.privateKey, algorithm: SIGNATURE_ALGORITHM.rsaSha256 });
    const framesPage = await (await fetch(logoutUrl, { redirect: "manual" })).text();
    const frame = /<iframe src="([^"]+)"/.exec(framesPage)?.[1];
    expect(frame).toBeDefined();

    // The frame is served by B, and the second fagsystem's verified answer arrives at B.
    const toSecond = (await get(b!, frame!)).headers.get("location")!;
    const secondRequest = brokerRequestAt(toSecond, "https://andet-fagsystem.test/slo");
    expect(secondRequest.issuer).toBe(BROKER_ENTITY_ID);
    const recorded = await get(b!, answerFrom(b!, SECOND_SP_ENTITY_ID, keys.spSigning, secondRequest.id));
    expect(await recorded.text()).toContain("<p>OK</p>");
    expect(await (await get(a!, /data-status="([^"]+)"/.exec(framesPage)![1]!)).json()).toEqual({ done: true });

    // Going on (on B) sends the browser to the IdP with the broker's LogoutRequest for the IdP's own NameID and SessionIndex.
    const toIdp = (await get(b!, /data-continue="([^"]+)"/.exec(framesPage)![1]!)).headers.get("location")!;
    const idpRequest = brokerRequestAt(toIdp, "https://idp.kommune.test/slo");
    expect(idpRequest.nameId).toMatch(/^C=DK,O=29189846,CN=Anna Andersen/);
    expect(idpRequest.sessionIndexes).toHaveLength(1);

    // The IdP answers on A: the summary, and the LogoutResponse to the first fagsystem.
    const summary = await (await get(a!, answerFrom(a!, IDP_ENTITY_ID, keys.idpSigning, idpRequest.id))).text();
    expect(summary).toContain("Du er logget ud / You are logged out");
    const back = /<a href="([^"]+)" id="logout-continue"/.exec(summary)![1]!.replace(/&amp;/g, "&");
    const answer = decodeRedirect(back.slice(back.indexOf("?") + 1), { maxEncodedBytes: 100_000, maxInflatedBytes: 100_000, maxRelayStateBytes: 1000 });
    verifyRedirectSignature(answer, [keys.brokerSigning.certificatePem], { allowSha1: false });
    const response = readLogoutResponse(parseXml(answer.xml).documentElement);
    expect(back.startsWith("https://fagsystem.test/slo?")).toBe(true);
    expect(response.inResponseTo).toBe("_sp-logout-1");
    expect(response.status).toBe(STATUS.success);
    expect(response.subStatus).toBeUndefined();
    expect(answer.relayState).toBe("sp-relay");

    // The session is gone on both instances: the second fagsystem is sent to log in again.
    for (const instance of [a!, b!]) {
      const again = await get(instance, spRedirectRequest(keys, { issuer: SECOND_SP_ENTITY_ID, acsUrl: SECOND_SP_ACS_URL }, "municipality=test-kommune").path, cookie);
      expect(again.status).toBe(303);
      expect(again.headers.get("location")!.startsWith("https://idp.kommune.test/sso")).toBe(true);
    }
  });
});
