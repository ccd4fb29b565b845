/**
 * Single Logout on the SOAP back channel (/saml/slo/soap, published in the
 * broker's metadata): a fagsystem's server logs a person out with no browser.
 * The session its SessionIndex names ends, the OIDC fagsystem is told on its
 * back channel, the IdP (reachable only through the browser) is reported, and
 * the answer is a signed LogoutResponse in the SOAP answer. What cannot be
 * trusted gets a SOAP fault and ends nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { RunningDemo } from "../../src/demo/run-demo.js";
import { startDemoInstance, type DemoInstance } from "../support/demo-instance.js";
import { Browser, unescapeHtml } from "../demo/demo-browser.js";
import { buildLogoutRequest, readLogoutResponse, soapBodyMessage, soapEnvelope } from "../../src/saml/logout-messages.js";
import { signEnveloped } from "../../src/saml/sign.js";
import { verifyEnvelopedSignature } from "../../src/saml/verify-signature.js";
import { readIdpMetadata } from "../../src/saml/metadata-reader.js";
import { samlInstant } from "../../src/saml/saml-time.js";
import { NAMEID_FORMAT, STATUS } from "../../src/saml/namespaces.js";
import { PARTIAL_LOGOUT } from "../../src/saml/logout-messages.js";
import { parseXml } from "../../src/xml/xml-parser.js";
import { keyMaterialFromPem } from "../../src/keys/key-material.js";

describe("Single Logout on the SOAP back channel", () => {
  let instance: DemoInstance;
  let demo: RunningDemo;
  let brokerUrl: string;

  beforeAll(async () => {
    instance = await startDemoInstance();
    ({ demo, brokerUrl } = instance);
  });

  afterAll(async () => {
    await instance?.stop();
  });

  const spKey = () => keyMaterialFromPem(readFileSync(join(instance.workDir, "keys", "demo-sp-signing.key.pem"), "utf8"), readFileSync(join(instance.workDir, "keys", "demo-sp-signing.cert.pem"), "utf8"));

  function soapRequest(id: string, nameId: string, sessionIndex: string, signed = true): string {
    const xml = buildLogoutRequest({
      id,
      issueInstant: samlInstant(Date.now()),
      notOnOrAfter: samlInstant(Date.now() + 60_000),
      issuer: `${demo.spUrl}/sp`,
      destination: `${brokerUrl}/saml/slo/soap`,
      nameId,
      nameIdFormat: NAMEID_FORMAT.persistent,
      sessionIndex,
    });
    return soapEnvelope(signed ? signEnveloped(xml, id, true, { key: spKey() }) : xml);
  }

  async function post(envelope: string): Promise<{ status: number; text: string }> {
    const response = await fetch(`${brokerUrl}/saml/slo/soap`, { method: "POST", headers: { "content-type": "text/xml" }, body: envelope });
    return { status: response.status, text: await response.text() };
  }

  /** The LogoutResponse in the SOAP answer, verified with the broker's published key. */
  async function verifiedAnswer(text: string) {
    const metadata = readIdpMetadata(await (await fetch(`${brokerUrl}/saml/metadata/idp`)).text());
    const message = soapBodyMessage(parseXml(text).documentElement);
    return readLogoutResponse(verifyEnvelopedSignature(message, { trustedCertificates: metadata.signingCertificates, allowSha1: false }));
  }

  async function loggedInBrowser(): Promise<{ browser: Browser; nameId: string; sessionIndex: string }> {
    const browser = new Browser();
    const chooser = await browser.follow(await browser.get(`${demo.spUrl}/login?municipality=demo-kommune`));
    const result = await browser.submit(await browser.submit(await browser.submit(chooser, { user: "hanne" })));
    const finish = await browser.follow(await browser.get(`${demo.oidcRpUrl}/login`));
    await browser.submit(finish);
    return {
      browser,
      nameId: unescapeHtml(/NameID: <code>([^<]+)<\/code>/.exec(result.body)?.[1] ?? ""),
      sessionIndex: unescapeHtml(/SessionIndex: <code>([^<]+)<\/code>/.exec(result.body)?.[1] ?? ""),
    };
  }

  it("ends the session the SessionIndex names, tells the OIDC fagsystem, and answers PartialLogout for the IdP it could not reach", async () => {
    const { browser, nameId, sessionIndex } = await loggedInBrowser();
    expect(sessionIndex).toMatch(/^_/);
    const answer = await post(soapRequest("_soap-1", nameId, sessionIndex));
    expect(answer.status).toBe(200);
    const response = await verifiedAnswer(answer.text);
    expect(response.inResponseTo).toBe("_soap-1");
    expect(response.status).toBe(STATUS.success);
    expect(response.subStatus).toBe(PARTIAL_LOGOUT);
    expect((await browser.get(`${demo.oidcRpUrl}/`)).body).not.toContain("<h1>Logget ind / Logged in</h1>");
    const next = await browser.follow(await browser.get(`${demo.spUrl}/login?municipality=demo-kommune`));
    expect(next.url.startsWith(`${demo.idpUrl}/sso`)).toBe(true);
  });

  it("answers a signed request naming another person with a refusal, and ends nothing", async () => {
    const { browser, sessionIndex } = await loggedInBrowser();
    const answer = await post(soapRequest("_soap-2", "https://data.gov.dk/model/core/eid/professional/uuid/00000000-0000-4000-8000-000000000000", sessionIndex));
    const response = await verifiedAnswer(answer.text);
    expect(response.status).toBe(STATUS.requester);
    expect((await browser.get(`${demo.oidcRpUrl}/`)).body).toContain("<h1>Logget ind / Logged in</h1>");
  });

  it("gives an unsigned request a SOAP fault and ends nothing", async () => {
    const { browser, nameId, sessionIndex } = await loggedInBrowser();
    const answer = await post(soapRequest("_soap-3", nameId, sessionIndex, false));
    expect(answer.status).toBe(500);
    expect(answer.text).toContain("<faultstring>signature_missing</faultstring>");
    expect((await browser.get(`${demo.oidcRpUrl}/`)).body).toContain("<h1>Logget ind / Logged in</h1>");
  });
});
