import { describe, expect, it, beforeAll } from "vitest";
import request from "supertest";
import { createBrokerFixture, MUNICIPALITY_CVR, SP_ACS_URL, SP_ENTITY_ID, type BrokerFixture } from "./support/broker-fixture.js";
import { idpResponse, openBrokerAssertion, postToAcs, readSpAnswer, startLogin } from "./support/saml-peers.js";
import { NS, STATUS } from "../src/saml/namespaces.js";
import { OIOSAML3 } from "../src/profiles/oiosaml3-attributes.js";
import { childElements } from "../src/xml/xml-parser.js";

function attributeValues(assertion: Element): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const attribute of Array.from(assertion.getElementsByTagNameNS(NS.saml, "Attribute"))) {
    out.set(attribute.getAttribute("Name")!, Array.from(attribute.getElementsByTagNameNS(NS.saml, "AttributeValue")).map((v) => v.textContent ?? ""));
  }
  return out;
}

describe("the login hop through the broker", () => {
  let fixture: BrokerFixture;
  beforeAll(async () => {
    fixture = await createBrokerFixture();
  });

  it("sends a signed AuthnRequest to the IdP with Scoping naming the fagsystem, when the IdP is registered for Scoping", async () => {
    const login = await startLogin(await createBrokerFixture({ idp: { sendScoping: true } }));
    expect(login.upstreamXml).toContain(`<samlp:RequesterID>${SP_ENTITY_ID}</samlp:RequesterID>`);
    expect(login.upstreamXml).toContain('AssertionConsumerServiceURL="https://broker.test/saml/acs"');
  });

  it("turns an encrypted, signed IdP assertion into a new signed, encrypted assertion for the fagsystem", async () => {
    const login = await startLogin(fixture);
    const response = await postToAcs(login.agent, await idpResponse(fixture.keys, { requestId: login.upstreamRequestId }));
    expect(response.status).toBe(200);
    const answer = readSpAnswer(response.text);
    expect(answer.url).toBe(SP_ACS_URL);
    expect(answer.relayState).toBe("rs-123");
    expect(answer.statusCode).toBe(STATUS.success);
    expect(childElements(answer.document.documentElement, NS.saml, "EncryptedAssertion")).toHaveLength(1);
    expect(childElements(answer.document.documentElement, NS.saml, "Assertion")).toHaveLength(0);
    const assertion = await openBrokerAssertion(answer, fixture.keys);
    const attributes = attributeValues(assertion);
    expect(attributes.get(OIOSAML3.specVersion)).toEqual(["OIO-SAML-3.0"]);
    expect(attributes.get(OIOSAML3.cvr)).toEqual([MUNICIPALITY_CVR]);
    expect(attributes.get(OIOSAML3.orgName)).toEqual(["Test Kommune"]);
    expect(attributes.get(OIOSAML3.loa)).toEqual(["Substantial"]);
    expect(attributes.get(OIOSAML3.uuidPersistent)).toEqual(["8c1d7e5e-3f0a-4b8e-9c51-0d2a7e4b6f11"]);
    expect(attributes.get("dk:gov:saml:attribute:KombitSpecVer")).toEqual(["2.0"]);
    const subjectData = assertion.getElementsByTagNameNS(NS.saml, "SubjectConfirmationData")[0]!;
    expect(subjectData.getAttribute("InResponseTo")).toBe(login.spRequestId);
    expect(subjectData.getAttribute("Recipient")).toBe(SP_ACS_URL);
    expect(assertion.getElementsByTagNameNS(NS.saml, "Audience")[0]!.textContent).toBe(SP_ENTITY_ID);
    expect(assertion.getElementsByTagNameNS(NS.saml, "AuthnContextClassRef")[0]!.textContent).toBe("https://data.gov.dk/concept/core/nsis/loa/Substantial");
  });

  it("shows a chooser when no municipality is hinted or remembered, and remembers the choice", async () => {
    // The test client speaks plain HTTP, so it would not send Secure cookies back.
    const plain = await createBrokerFixture({ config: { secureCookies: "never" } });
    const agent = request.agent(plain.app);
    const { spRedirectRequest } = await import("./support/saml-peers.js");
    const first = spRedirectRequest(plain.keys, {}, "");
    const chooser = await agent.get(first.path);
    expect(chooser.status).toBe(200);
    expect(chooser.text).toContain("Test Kommune");
    const loginId = /name="login" value="([^"]+)"/.exec(chooser.text)![1]!;
    const chosen = await agent.post("/login/choose").type("form").send({ login: loginId, idp: "test-kommune" });
    expect(chosen.status).toBe(303);
    expect(chosen.headers["location"]).toMatch(/^https:\/\/idp\.kommune\.test\/sso\?SAMLRequest=/);
    const second = spRedirectRequest(plain.keys, {}, "");
    const again = await agent.get(second.path);
    expect(again.status).toBe(303);
    expect(again.headers["location"]).toMatch(/^https:\/\/idp\.kommune\.test\/sso/);
  });

  it("refuses a chooser post from a browser that did not start the login", async () => {
    const { spRedirectRequest } = await import("./support/saml-peers.js");
    const chooser = await request.agent(fixture.app).get(spRedirectRequest(fixture.keys, {}, "").path);
    const loginId = /name="login" value="([^"]+)"/.exec(chooser.text)![1]!;
    const forged = await request(fixture.app).post("/login/choose").type("form").send({ login: loginId, idp: "test-kommune" });
    expect(forged.status).toBe(403);
    expect(forged.text).toMatch(/correlation id/);
  });

  it("answers an unknown municipality hint with a clear page", async () => {
    const { spRedirectRequest } = await import("./support/saml-peers.js");
    const response = await request(fixture.app).get(spRedirectRequest(fixture.keys, {}, "municipality=99999999").path);
    expect(response.status).toBe(400);
    expect(response.text).toContain("kommune kendes ikke");
    expect(response.text).toMatch(/correlation id/);
  });

  it("publishes signed metadata for IdPs and for fagsystemer", async () => {
    const { readSpMetadata, readIdpMetadata } = await import("../src/saml/metadata-reader.js");
    const { parseXml } = await import("../src/xml/xml-parser.js");
    const { verifyEnvelopedSignature } = await import("../src/saml/verify-signature.js");
    for (const path of ["/saml/metadata/sp", "/saml/metadata/idp"]) {
      const response = await request(fixture.app).get(path);
      expect(response.status).toBe(200);
      expect(response.headers["content-type"]).toMatch(/samlmetadata\+xml/);
      const root = parseXml(response.text).documentElement;
      expect(() => verifyEnvelopedSignature(root, { trustedCertificates: [fixture.keys.brokerSigning.certificatePem], allowSha1: false })).not.toThrow();
    }
    const sp = readSpMetadata((await request(fixture.app).get("/saml/metadata/sp")).text);
    expect(sp.assertionConsumerServices[0]!.location).toBe("https://broker.test/saml/acs");
    expect(sp.encryptionCertificates).toHaveLength(1);
    const idp = readIdpMetadata((await request(fixture.app).get("/saml/metadata/idp")).text);
    expect(idp.singleSignOnServices.map((s) => s.location)).toContain("https://broker.test/saml/sso");
    expect(idp.signingCertificates).toHaveLength(1);
  });
});
