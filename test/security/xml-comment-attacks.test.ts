/**
 * Attack catalogue, class 6: comments and processing instructions that would
 * truncate a value (`victim@kommune.dk<!---->.evil.dk`), signed or not, at
 * the ACS and the SSO endpoint.
 */
import { beforeAll, describe, expect, it } from "vitest";
import request from "supertest";
import { deflateRawSync } from "node:zlib";
import { createBrokerFixture, type BrokerFixture } from "../support/broker-fixture.js";
import { idpResponse, testId, spAuthnRequestXml } from "../support/saml-peers.js";
import { NS } from "../../src/saml/namespaces.js";
import { verifyEnvelopedSignature } from "../../src/saml/verify-signature.js";
import { parseXml, requiredChild, textOf } from "../../src/xml/xml-parser.js";
import { all, edit, expectRefused, first, libraryAccepts, reasonsFor, tryAtAcs } from "./support/attack-kit.js";

const VICTIM = "victim@kommune.dk";
const REGISTERED = "victim@kommune.dk.evil.dk";

describe("parser attacks", () => {
  let fixture: BrokerFixture;
  beforeAll(async () => {
    fixture = await createBrokerFixture();
  });

  /** Splits the text of the first element with this name by a comment: `victim@kommune.dk<!---->.evil.dk`. */
  const truncateWithComment = (doc: Document, ns: string, localName: string, at: string) => {
    const element = first(doc, ns, localName);
    const text = element.textContent ?? "";
    const cut = text.indexOf(at) + at.length;
    while (element.firstChild) element.removeChild(element.firstChild);
    element.appendChild(doc.createTextNode(text.slice(0, cut)));
    element.appendChild(doc.createComment(""));
    element.appendChild(doc.createTextNode(text.slice(cut)));
  };

  describe("class 6: comments or processing instructions that truncate a value", () => {
    it("refuses a comment added to a signed NameID after signing (the signature still verifies)", async () => {
      let sent = "";
      let assertionId = "";
      const outcome = await tryAtAcs(fixture, async (requestId, keys) => {
        assertionId = testId("_a");
        sent = await idpResponse(keys, { requestId, assertionId, encryptFor: null, nameId: REGISTERED, editSignedAssertion: (xml) => edit(xml, (doc) => truncateWithComment(doc, NS.saml, "NameID", VICTIM)) });
        return sent;
      });
      expect(sent).toContain(`${VICTIM}<!---->.evil.dk`);
      expect(libraryAccepts(sent, assertionId, fixture.keys.idpSigning.certificatePem), "canonicalization drops the comment").toBe(true);
      await expectRefused(fixture, outcome, "signed_content_has_comment");
    });

    it("refuses a comment in a signed attribute value, also inside an encrypted assertion", async () => {
      const outcome = await tryAtAcs(fixture, (requestId, keys) =>
        idpResponse(keys, {
          requestId,
          editAssertion: (xml) => xml.replace("anna@kommune.test", REGISTERED),
          editSignedAssertion: (xml) =>
            edit(xml, (doc) => {
              const value = all(doc, NS.saml, "AttributeValue").find((v) => v.textContent === REGISTERED)!;
              value.insertBefore(doc.createComment("x"), (value.lastChild as Text).splitText(VICTIM.length));
            }),
        }),
      );
      await expectRefused(fixture, outcome, "signed_content_has_comment");
    });

    it("refuses a comment the IdP itself signed inside a value", async () => {
      const outcome = await tryAtAcs(fixture, (requestId, keys) =>
        idpResponse(keys, { requestId, encryptFor: null, nameId: REGISTERED, editAssertion: (xml) => edit(xml, (doc) => truncateWithComment(doc, NS.saml, "NameID", VICTIM)) }),
      );
      await expectRefused(fixture, outcome, "signed_content_has_comment");
    });

    it("refuses a processing instruction inside a signed NameID", async () => {
      const outcome = await tryAtAcs(fixture, (requestId, keys) =>
        idpResponse(keys, { requestId, encryptFor: null, nameId: REGISTERED, editResponse: (xml) => xml.replace(REGISTERED, `${VICTIM}<?evil x?>.evil.dk`) }),
      );
      await expectRefused(fixture, outcome, "xml_malformed");
    });

    it("refuses a comment in the Response Issuer, which no signature covers", async () => {
      const outcome = await tryAtAcs(fixture, (requestId, keys) =>
        idpResponse(keys, { requestId, encryptFor: null, editResponse: (xml) => edit(xml, (doc) => truncateWithComment(doc, NS.saml, "Issuer", "https://idp")) }),
      );
      await expectRefused(fixture, outcome, "xml_mixed_content");
    });

    it("refuses a comment in a redirect AuthnRequest's Issuer", async () => {
      const lax = await createBrokerFixture({ sp: { requireSignedRequests: false }, spMetadata: { authnRequestsSigned: false } });
      const xml = edit(spAuthnRequestXml(testId()), (doc) => truncateWithComment(doc, NS.saml, "Issuer", "https://fagsystem"));
      const response = await request(lax.app).get(`/saml/sso?municipality=test-kommune&SAMLRequest=${encodeURIComponent(deflateRawSync(xml).toString("base64"))}`);
      expect(response.status).toBe(400);
      expect(await reasonsFor(lax, response.headers["x-correlation-id"] as string)).toContain("xml_mixed_content");
    });

    it("reads only the canonical bytes: even with the comment check off, the reader sees the whole signed value", async () => {
      // Defence in depth below the comment check: the identity is read from a fresh parse of
      // what the signature covers, where the comment is gone and the text is one node.
      const assertionId = testId("_a");
      let signed = "";
      await idpResponse(fixture.keys, { requestId: "_r", assertionId, encryptFor: null, nameId: REGISTERED, editSignedAssertion: (xml) => (signed = edit(xml, (doc) => truncateWithComment(doc, NS.saml, "NameID", VICTIM))) });
      const received = parseXml(signed).documentElement;
      expect(() => textOf(requiredChild(requiredChild(received, NS.saml, "Subject"), NS.saml, "NameID"))).toThrow(/only text/);
      const verified = verifyEnvelopedSignature(received, { trustedCertificates: [fixture.keys.idpSigning.certificatePem], allowSha1: false, refuseComments: false });
      expect(textOf(requiredChild(requiredChild(verified, NS.saml, "Subject"), NS.saml, "NameID"))).toBe(REGISTERED);
    });
  });
});
