/**
 * Attack catalogue, class 10: a genuine signed error Response is not turned
 * into a login, whatever forged assertion or decoy signature is added.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createBrokerFixture, type BrokerFixture, type FixtureKeys } from "../support/broker-fixture.js";
import { idpResponse } from "../support/saml-peers.js";
import { NS, STATUS } from "../../src/saml/namespaces.js";
import { signEnveloped } from "../../src/saml/sign.js";
import { child, dom, edit, expectRefused, first, FORGED, fragment, insertAfter, tryAtAcs } from "./support/attack-kit.js";

describe("signature placement and assertion count", () => {
  let strict: BrokerFixture;
  let lax: BrokerFixture;
  beforeAll(async () => {
    strict = await createBrokerFixture();
    lax = await createBrokerFixture({ idp: { requireSignedAssertion: false } });
  });

  describe("class 10: a signed error Response with a decoy signature and a forged assertion", () => {
    /** A genuine, IdP-signed error Response (AuthnFailed) for `requestId`. */
    const signedError = (keys: FixtureKeys, requestId: string) =>
      idpResponse(keys, { requestId, status: STATUS.responder, subStatus: STATUS.authnFailed, signResponseWith: keys.idpSigning });

    /** A forged, unsigned assertion answering `requestId`, as an attacker would write it. */
    const forgedAssertion = async (keys: FixtureKeys, requestId: string) => {
      let assertion = "";
      await idpResponse(keys, { requestId, encryptFor: null, signAssertionWith: null, nameId: FORGED, editAssertion: (xml) => (assertion = xml) });
      return assertion;
    };

    it("refuses a signed error Response turned into Success with a forged assertion added", async () => {
      const outcome = await tryAtAcs(lax, async (requestId, keys) => {
        const forged = await forgedAssertion(keys, requestId);
        return edit(await signedError(keys, requestId), (doc) => {
          const code = first(doc, NS.samlp, "StatusCode");
          code.setAttribute("Value", STATUS.success);
          while (code.firstChild) code.removeChild(code.firstChild);
          doc.documentElement.appendChild(fragment(doc, forged));
        });
      });
      await expectRefused(lax, outcome, "signature_invalid");
    });

    it("refuses a forged assertion carrying the error Response's signature as a decoy", async () => {
      const outcome = await tryAtAcs(strict, async (requestId, keys) => {
        const forged = await forgedAssertion(keys, requestId);
        return edit(await signedError(keys, requestId), (doc) => {
          const response = doc.documentElement;
          const signature = child(response, "Signature");
          const code = first(doc, NS.samlp, "StatusCode");
          code.setAttribute("Value", STATUS.success);
          while (code.firstChild) code.removeChild(code.firstChild);
          const assertion = fragment(doc, forged);
          response.appendChild(assertion);
          insertAfter(child(assertion, "Issuer"), signature);
        });
      });
      await expectRefused(strict, outcome, "signature_reference");
    });

    it("refuses a forged assertion signed by the attacker inside a genuine signed error Response (status read first)", async () => {
      const outcome = await tryAtAcs(strict, async (requestId, keys) => {
        let decoy = "";
        await idpResponse(keys, { requestId, encryptFor: null, signAssertionWith: keys.attacker, nameId: FORGED, editSignedAssertion: (xml) => (decoy = xml) });
        const response = await idpResponse(keys, { requestId, status: STATUS.responder, subStatus: STATUS.authnFailed, editResponse: (xml) => edit(xml, (doc) => doc.documentElement.appendChild(fragment(doc, decoy))) });
        return signEnveloped(response, dom(response).documentElement.getAttribute("ID")!, true, { key: keys.idpSigning });
      });
      await expectRefused(strict, outcome, "upstream_status");
      expect(outcome.statusCode).toBe(STATUS.responder);
    });
  });
});
