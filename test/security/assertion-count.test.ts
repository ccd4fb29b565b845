/** Attack catalogue, class 9: a Response carries exactly one assertion, plain or encrypted, never two or a wrapped one. */
import { beforeAll, describe, it } from "vitest";
import { createBrokerFixture, type BrokerFixture, type FixtureKeys } from "../support/broker-fixture.js";
import { idpResponse, testId } from "../support/saml-peers.js";
import { NS } from "../../src/saml/namespaces.js";
import { encryptAssertion, OIOSAML3_ENCRYPTION } from "../../src/saml/encrypt-assertion.js";
import { child, dom, edit, expectRefused, first, FORGED, fragment, setText, tryAtAcs } from "./support/attack-kit.js";

describe("signature placement and assertion count", () => {
  let strict: BrokerFixture;
  beforeAll(async () => {
    strict = await createBrokerFixture();
  });

  describe("class 9: more than one assertion", () => {
    it("refuses a signed assertion next to an unsigned one", async () => {
      const outcome = await tryAtAcs(strict, (requestId, keys) =>
        idpResponse(keys, {
          requestId,
          encryptFor: null,
          editResponse: (xml) =>
            edit(xml, (doc) => {
              const signed = child(doc.documentElement, "Assertion");
              const unsigned = signed.cloneNode(true) as Element;
              unsigned.removeChild(child(unsigned, "Signature"));
              unsigned.setAttribute("ID", testId("_u"));
              setText(unsigned, NS.saml, "NameID", FORGED);
              doc.documentElement.insertBefore(unsigned, signed);
            }),
        }),
      );
      await expectRefused(strict, outcome, "assertion_count");
    });

    it("refuses an EncryptedAssertion next to a plain assertion", async () => {
      const outcome = await tryAtAcs(strict, async (requestId, keys) => {
        const plain = await idpResponse(keys, { requestId, encryptFor: null, nameId: FORGED });
        const plainAssertion = first(dom(plain), NS.saml, "Assertion");
        return idpResponse(keys, {
          requestId,
          editResponse: (xml) => edit(xml, (doc) => doc.documentElement.appendChild(doc.importNode(plainAssertion, true))),
        });
      });
      await expectRefused(strict, outcome, "assertion_count");
    });

    it("refuses an EncryptedAssertion that decrypts to two assertions", async () => {
      const outcome = await tryAtAcs(strict, async (requestId, keys) => {
        let signed = "";
        await idpResponse(keys, { requestId, encryptFor: null, editSignedAssertion: (xml) => (signed = xml) });
        const encrypted = await encryptAssertion(signed + signed, keys.brokerEncryption.certificatePem, OIOSAML3_ENCRYPTION);
        return replaceAssertion(keys, requestId, encrypted);
      });
      await expectRefused(strict, outcome, "decrypted_not_one_assertion");
    });

    it("refuses an EncryptedAssertion whose plaintext wraps the assertion in another element", async () => {
      const outcome = await tryAtAcs(strict, async (requestId, keys) => {
        let signed = "";
        await idpResponse(keys, { requestId, encryptFor: null, editSignedAssertion: (xml) => (signed = xml) });
        const encrypted = await encryptAssertion(`<w:Wrapper xmlns:w="urn:example:w">${signed}</w:Wrapper>`, keys.brokerEncryption.certificatePem, OIOSAML3_ENCRYPTION);
        return replaceAssertion(keys, requestId, encrypted);
      });
      await expectRefused(strict, outcome, "decrypted_not_one_assertion");
    });

    it("refuses an EncryptedAssertion holding two EncryptedData", async () => {
      const outcome = await tryAtAcs(strict, (requestId, keys) =>
        idpResponse(keys, {
          requestId,
          editResponse: (xml) =>
            edit(xml, (doc) => {
              const data = first(doc, NS.xenc, "EncryptedData");
              data.parentNode!.appendChild(data.cloneNode(true));
            }),
        }),
      );
      await expectRefused(strict, outcome, "encryption_malformed");
    });
  });
});


/** A Response for `requestId` whose assertion is replaced by `encryptedAssertionXml`. */
function replaceAssertion(keys: FixtureKeys, requestId: string, encryptedAssertionXml: string): Promise<string> {
  return idpResponse(keys, {
    requestId,
    editResponse: (xml) => edit(xml, (doc) => doc.documentElement.replaceChild(fragment(doc, encryptedAssertionXml), first(doc, NS.saml, "EncryptedAssertion"))),
  });
}
