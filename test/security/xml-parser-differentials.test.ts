/**
 * Attack catalogue, class 7: parser differentials. DOCTYPE and entity tricks,
 * duplicate IDs, namespace redeclarations that make the verified tree and the
 * read tree differ.
 */
import { beforeAll, describe, it } from "vitest";
import { createBrokerFixture, type BrokerFixture } from "../support/broker-fixture.js";
import { idpResponse, testId } from "../support/saml-peers.js";
import { child, dom, edit, expectRefused, tryAtAcs, xmlOf } from "./support/attack-kit.js";
import { withDoctype } from "./support/doctypes.js";

describe("parser attacks", () => {
  let fixture: BrokerFixture;
  beforeAll(async () => {
    fixture = await createBrokerFixture();
  });

  describe("class 7: parser differentials", () => {
    it("refuses a DOCTYPE with an internal entity used in the NameID", async () => {
      const outcome = await tryAtAcs(fixture, (requestId, keys) =>
        idpResponse(keys, { requestId, encryptFor: null, editResponse: (xml) => withDoctype(xml.replace(/CN=Anna Andersen/, "CN=&who;"), '<!DOCTYPE r [<!ENTITY who "Mallory">]>') }),
      );
      await expectRefused(fixture, outcome, "xml_doctype");
    });

    it("refuses a lower-case doctype", async () => {
      const outcome = await tryAtAcs(fixture, (requestId, keys) => idpResponse(keys, { requestId, encryptFor: null, editResponse: (xml) => withDoctype(xml, "<!doctype r>") }));
      await expectRefused(fixture, outcome, "xml_doctype");
    });

    it("refuses an undeclared entity reference", async () => {
      const outcome = await tryAtAcs(fixture, (requestId, keys) => idpResponse(keys, { requestId, encryptFor: null, editResponse: (xml) => xml.replace("CN=Anna Andersen", "CN=&who;") }));
      await expectRefused(fixture, outcome, "xml_malformed");
    });

    it("refuses an element with the ID attribute twice", async () => {
      const outcome = await tryAtAcs(fixture, (requestId, keys) =>
        idpResponse(keys, { requestId, encryptFor: null, editResponse: (xml) => xml.replace(/<saml:Assertion ([^>]*?)ID="([^"]+)"/, '<saml:Assertion $1ID="$2" ID="_other"') }),
      );
      await expectRefused(fixture, outcome, "xml_malformed");
    });

    it("refuses a Response whose ID repeats the signed assertion's ID", async () => {
      const assertionId = testId("_a");
      const outcome = await tryAtAcs(fixture, (requestId, keys) =>
        idpResponse(keys, { requestId, assertionId, encryptFor: null, editResponse: (xml) => edit(xml, (doc) => doc.documentElement.setAttribute("ID", assertionId)) }),
      );
      await expectRefused(fixture, outcome, "duplicate_id");
    });

    it("refuses a namespaced x:ID elsewhere carrying the signed assertion's ID (counted as xml-crypto resolves References)", async () => {
      const assertionId = testId("_a");
      const outcome = await tryAtAcs(fixture, (requestId, keys) =>
        idpResponse(keys, {
          requestId,
          assertionId,
          encryptFor: null,
          editResponse: (xml) =>
            edit(xml, (doc) => {
              const decoy = doc.createElementNS("urn:example:x", "x:Decoy");
              decoy.setAttributeNS("urn:example:x", "x:ID", assertionId);
              doc.documentElement.insertBefore(decoy, child(doc.documentElement, "Status"));
            }),
        }),
      );
      await expectRefused(fixture, outcome, "duplicate_id");
    });

    it("refuses a namespace prefix redeclared inside the signed assertion (read tree would differ)", async () => {
      const outcome = await tryAtAcs(fixture, (requestId, keys) =>
        idpResponse(keys, {
          requestId,
          encryptFor: null,
          editSignedAssertion: (xml) => xml.replace("<saml:Subject>", '<saml:Subject xmlns:saml="urn:example:not-saml">'),
        }),
      );
      await expectRefused(fixture, outcome, "signature_invalid");
    });

    it("refuses an assertion whose inherited prefix is rebound by the Response", async () => {
      // The assertion leans on the Response's xmlns:saml; rebinding it there moves every saml:
      // element of the assertion out of the SAML namespace for a namespace-aware reader.
      const outcome = await tryAtAcs(fixture, (requestId, keys) =>
        idpResponse(keys, {
          requestId,
          encryptFor: null,
          editResponse: (xml) => {
            const doc = dom(xml);
            const text = xmlOf(doc).replace(/(<saml:Assertion[^>]*?) xmlns:saml="[^"]*"/, "$1");
            return text.replace(/^(<samlp:Response[^>]*?)xmlns:saml="[^"]*"/, '$1xmlns:saml="urn:example:not-saml"');
          },
        }),
      );
      await expectRefused(fixture, outcome, "assertion_count");
    });

    it("refuses two declarations of the same prefix on one element", async () => {
      const outcome = await tryAtAcs(fixture, (requestId, keys) =>
        idpResponse(keys, { requestId, encryptFor: null, editResponse: (xml) => xml.replace("<saml:Issuer>", '<saml:Issuer xmlns:a="urn:a" xmlns:a="urn:b">') }),
      );
      await expectRefused(fixture, outcome, "xml_malformed");
    });

    it("refuses an unbound prefix", async () => {
      const outcome = await tryAtAcs(fixture, (requestId, keys) => idpResponse(keys, { requestId, encryptFor: null, editResponse: (xml) => xml.replace("<saml:Issuer>", "<saml:Issuer><evil:x/>") }));
      await expectRefused(fixture, outcome, "xml_malformed");
    });
  });
});
