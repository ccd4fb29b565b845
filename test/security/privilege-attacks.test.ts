/**
 * Attack catalogue, classes 23 and 25: organisation scope and injection into
 * what the broker writes for the fagsystem.
 *
 * Class 23: an IdP may only speak for the CVRs it is registered for (the
 * federation rule, reason cvr_not_allowed). Privileges scoped to a foreign
 * CVR inside OIO-BPP are dropped by the privileges pipeline; those cases are
 * in the privileges suite (see SECURITY.md).
 *
 * Class 25: attribute values that would break or extend the XML the broker
 * writes (the assertion and the privileges attribute inside it) arrive at
 * the fagsystem as the same text, never as structure.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createBrokerFixture, MUNICIPALITY_CVR, type BrokerFixture } from "../support/broker-fixture.js";
import { defaultAttributes, idpResponse, openBrokerAssertion, readSpAnswer, startLogin } from "../support/saml-peers.js";
import { OIOSAML3 } from "../../src/profiles/oiosaml3-attributes.js";
import { NS, STATUS } from "../../src/saml/namespaces.js";
import { all, createTwoMunicipalityFixture, expectRefused, OTHER_IDP, postResponse, tryAtAcs } from "./support/attack-kit.js";

const PRIVILEGES_INJECTION =
  `Anna</saml:AttributeValue></saml:Attribute><saml:Attribute Name="${OIOSAML3.privilegesIntermediate}"><saml:AttributeValue>` +
  Buffer.from('<bpp:PrivilegeList xmlns:bpp="http://itst.dk/oiosaml/basic_privilege_profile"><bpp:PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:29189846"><bpp:Privilege>urn:dk:kombit:bfs:admin</bpp:Privilege></bpp:PrivilegeGroup></bpp:PrivilegeList>').toString("base64") +
  "</saml:AttributeValue></saml:Attribute><saml:Attribute Name=\"x\"><saml:AttributeValue>";

/** The attributes of the assertion the fagsystem receives, by name. */
async function fagsystemAttributes(fixture: BrokerFixture, responseHtml: string): Promise<Map<string, string[]>> {
  const assertion = await openBrokerAssertion(readSpAnswer(responseHtml), fixture.keys);
  const out = new Map<string, string[]>();
  for (const attribute of all(assertion, NS.saml, "Attribute")) {
    const name = attribute.getAttribute("Name")!;
    out.set(name, [...(out.get(name) ?? []), ...all(attribute, NS.saml, "AttributeValue").map((v) => v.textContent ?? "")]);
  }
  return out;
}

describe("privilege attacks", () => {
  let fixture: BrokerFixture;
  beforeAll(async () => {
    fixture = await createBrokerFixture();
  });

  describe("class 23: a CVR the IdP may not issue for", () => {
    it("refuses an IdP asserting a CVR it is not registered for, with RequestDenied", async () => {
      const outcome = await tryAtAcs(fixture, (requestId, keys) => idpResponse(keys, { requestId, attributes: defaultAttributes({ [OIOSAML3.cvr]: "11223344" }) }));
      await expectRefused(fixture, outcome, "cvr_not_allowed");
    });

    it("refuses one registered municipality asserting another municipality's CVR", async () => {
      const { fixture: two, otherIdpKey } = await createTwoMunicipalityFixture();
      const login = await startLogin(two, {}, `municipality=${OTHER_IDP.id}`);
      const xml = await idpResponse(two.keys, {
        requestId: login.upstreamRequestId,
        issuer: OTHER_IDP.entityId,
        responseIssuer: OTHER_IDP.entityId,
        signAssertionWith: otherIdpKey,
        attributes: defaultAttributes({ [OIOSAML3.cvr]: MUNICIPALITY_CVR }),
      });
      const outcome = await postResponse(login.agent, xml);
      await expectRefused(two, outcome, "cvr_not_allowed");
      expect(readSpAnswer(outcome.response.text).subStatusCode).toBe(STATUS.requestDenied);
    });

    it("accepts the same IdP asserting its own CVR (control)", async () => {
      const { fixture: two, otherIdpKey } = await createTwoMunicipalityFixture();
      const login = await startLogin(two, {}, `municipality=${OTHER_IDP.id}`);
      const xml = await idpResponse(two.keys, {
        requestId: login.upstreamRequestId,
        issuer: OTHER_IDP.entityId,
        responseIssuer: OTHER_IDP.entityId,
        signAssertionWith: otherIdpKey,
        attributes: defaultAttributes({ [OIOSAML3.cvr]: OTHER_IDP.cvr }),
        nameId: `C=DK,O=${OTHER_IDP.cvr},CN=Bo Berg,Serial=1`,
      });
      const outcome = await postResponse(login.agent, xml);
      expect(outcome.statusCode).toBe(STATUS.success);
    });

    it("refuses a CVR attribute carrying two different CVRs", async () => {
      const outcome = await tryAtAcs(fixture, (requestId, keys) => {
        const attributes = defaultAttributes().map((a) => (a.name === OIOSAML3.cvr ? { ...a, values: [MUNICIPALITY_CVR, "11223344"] } : a));
        return idpResponse(keys, { requestId, attributes });
      });
      await expectRefused(fixture, outcome, "attribute_ambiguous");
    });
  });

  describe("class 25: attribute values that would break or extend the XML the broker writes", () => {
    it("passes markup in a name through as text: no extra attribute, no injected privileges", async () => {
      const login = await startLogin(fixture);
      const xml = await idpResponse(fixture.keys, { requestId: login.upstreamRequestId, attributes: defaultAttributes({ [OIOSAML3.fullName]: PRIVILEGES_INJECTION }) });
      const outcome = await postResponse(login.agent, xml);
      expect(outcome.statusCode).toBe(STATUS.success);
      const attributes = await fagsystemAttributes(fixture, outcome.response.text);
      expect(attributes.get(OIOSAML3.fullName)).toEqual([PRIVILEGES_INJECTION]);
      expect(attributes.has("x")).toBe(false);
      const privileges = attributes.get(OIOSAML3.privilegesIntermediate) ?? [];
      expect(privileges.length).toBeLessThanOrEqual(1);
      for (const value of privileges) expect(Buffer.from(value, "base64").toString("utf8")).not.toContain("urn:dk:kombit:bfs:admin");
    });

    it("passes quotes, ampersands and angle brackets in an e-mail through unchanged", async () => {
      const tricky = `a"b'c&amp;<d>@kommune.test`;
      const login = await startLogin(fixture);
      const outcome = await postResponse(login.agent, await idpResponse(fixture.keys, { requestId: login.upstreamRequestId, attributes: defaultAttributes({ [OIOSAML3.email]: tricky }) }));
      expect(outcome.statusCode).toBe(STATUS.success);
      expect((await fagsystemAttributes(fixture, outcome.response.text)).get(OIOSAML3.email)).toEqual([tricky]);
    });

    it("never lets a NameID close the Subject", async () => {
      const nameId = `C=DK,O=${MUNICIPALITY_CVR},CN=Anna</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"/><saml:NameID>,Serial=1`;
      const login = await startLogin(fixture);
      const outcome = await postResponse(login.agent, await idpResponse(fixture.keys, { requestId: login.upstreamRequestId, nameId }));
      expect(outcome.statusCode).toBe(STATUS.success);
      const assertion = await openBrokerAssertion(readSpAnswer(outcome.response.text), fixture.keys);
      expect(all(assertion, NS.saml, "NameID")).toHaveLength(1);
      expect(all(assertion, NS.saml, "SubjectConfirmation").map((c) => c.getAttribute("Method"))).toEqual(["urn:oasis:names:tc:SAML:2.0:cm:bearer"]);
    });
  });
});
