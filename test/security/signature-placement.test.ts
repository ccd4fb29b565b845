/**
 * Attack catalogue, classes 2, 9, 10 and 12: where signatures sit and how
 * many assertions a Response may carry.
 *
 * The documented combinations (README, "How a login goes", step 4):
 * - IdP with `requireSignedAssertion: true` (the OIOSAML 3 default): the
 *   assertion must carry a valid signature; a Response signature is optional
 *   but checked when present.
 * - IdP with `requireSignedAssertion: false`: a valid signature on the
 *   Response or on the assertion is enough.
 * - Any signature that is present and does not verify refuses the message;
 *   exactly one assertion, never one nested in Advice.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createBrokerFixture, type BrokerFixture, type FixtureKeys } from "../support/broker-fixture.js";
import { idpResponse, testId } from "../support/saml-peers.js";
import type { KeyMaterial } from "../../src/keys/key-material.js";
import { NS, STATUS } from "../../src/saml/namespaces.js";
import { encryptAssertion, OIOSAML3_ENCRYPTION } from "../../src/saml/encrypt-assertion.js";
import { signEnveloped } from "../../src/saml/sign.js";
import { validateConfig } from "../../src/config/load-config.js";
import { loadTrustRegistry } from "../../src/trust/registry.js";
import { readResponseEnvelope, validateResponse } from "../../src/saml/response-validator.js";
import { DEFAULT_XML_LIMITS } from "../../src/xml/xml-parser.js";
import { child, dom, edit, expectAccepted, expectRefused, first, fragment, insertAfter, reasonsFor, setText, tryAtAcs } from "./support/attack-kit.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { spRedirectRequest } from "../support/saml-peers.js";

type Sig = "none" | "valid" | "attacker";
const FORGED = "C=DK,O=29189846,CN=Mallory Forged,Serial=666";

function signer(keys: FixtureKeys, sig: Sig): KeyMaterial | null {
  return sig === "none" ? null : sig === "valid" ? keys.idpSigning : keys.attacker;
}

interface Placement {
  response: Sig;
  assertion: Sig;
  /** For requireSignedAssertion true, then false: "accept" or the reason logged. */
  strict: string;
  lax: string;
}

const MATRIX: Placement[] = [
  { response: "none", assertion: "valid", strict: "accept", lax: "accept" },
  { response: "valid", assertion: "valid", strict: "accept", lax: "accept" },
  { response: "valid", assertion: "none", strict: "assertion_not_signed", lax: "accept" },
  { response: "none", assertion: "none", strict: "assertion_not_signed", lax: "assertion_not_signed" },
  { response: "attacker", assertion: "valid", strict: "signature_invalid", lax: "signature_invalid" },
  { response: "attacker", assertion: "none", strict: "signature_invalid", lax: "signature_invalid" },
  { response: "none", assertion: "attacker", strict: "signature_invalid", lax: "signature_invalid" },
  { response: "valid", assertion: "attacker", strict: "signature_invalid", lax: "signature_invalid" },
  { response: "attacker", assertion: "attacker", strict: "signature_invalid", lax: "signature_invalid" },
];

describe("signature placement and assertion count", () => {
  let strict: BrokerFixture;
  let lax: BrokerFixture;
  beforeAll(async () => {
    strict = await createBrokerFixture();
    lax = await createBrokerFixture({ idp: { requireSignedAssertion: false } });
  });

  describe("class 2: Response signed/unsigned/badly signed × assertion signed/unsigned/badly signed", () => {
    for (const row of MATRIX) {
      for (const policy of ["strict", "lax"] as const) {
        for (const encrypted of [false, true]) {
          const expected = row[policy];
          it(`${policy === "strict" ? "requireSignedAssertion" : "signed Response allowed"}: Response ${row.response}, assertion ${row.assertion}${encrypted ? ", encrypted" : ""} → ${expected}`, async () => {
            const fixture = policy === "strict" ? strict : lax;
            const outcome = await tryAtAcs(fixture, (requestId, keys) =>
              idpResponse(keys, {
                requestId,
                encryptFor: encrypted ? keys.brokerEncryption : null,
                signAssertionWith: signer(keys, row.assertion),
                signResponseWith: signer(keys, row.response),
              }),
            );
            if (expected === "accept") await expectAccepted(outcome);
            else await expectRefused(fixture, outcome, expected);
          });
        }
      }
    }

    for (const encrypted of [false, true]) {
      it(`refuses an extra assertion in Advice inside a validly signed assertion and Response${encrypted ? " (encrypted)" : ""}`, async () => {
        const outcome = await tryAtAcs(strict, async (requestId, keys) => {
          const inner = await idpResponse(keys, { requestId, encryptFor: null, nameId: FORGED });
          const innerAssertion = first(dom(inner), NS.saml, "Assertion");
          return idpResponse(keys, {
            requestId,
            encryptFor: encrypted ? keys.brokerEncryption : null,
            signResponseWith: keys.idpSigning,
            // The IdP itself signs an assertion that carries another one in Advice.
            editAssertion: (xml) =>
              edit(xml, (doc) => {
                const advice = doc.createElementNS(NS.saml, "saml:Advice");
                advice.appendChild(doc.importNode(innerAssertion, true));
                doc.documentElement.insertBefore(advice, child(doc.documentElement, "AuthnStatement"));
              }),
          });
        });
        await expectRefused(strict, outcome, "assertion_count");
      });
    }
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

  describe("class 12: no signature at all, and an IdP without a key", () => {
    it("refuses a Response with no signature anywhere (see also acs-rejections)", async () => {
      const outcome = await tryAtAcs(lax, (requestId, keys) => idpResponse(keys, { requestId, signAssertionWith: null, encryptFor: null }));
      await expectRefused(lax, outcome, "assertion_not_signed");
    });

    it("fails closed when the IdP has no signing key at run time: signed and unsigned messages alike", async () => {
      const fixture = await createBrokerFixture();
      const idp = fixture.broker.registry.identityProvider("test-kommune")!;
      idp.metadata.signingCertificates.length = 0;
      for (const sign of [true, false]) {
        const outcome = await tryAtAcs(fixture, (requestId, keys) => idpResponse(keys, { requestId, encryptFor: null, signAssertionWith: sign ? keys.idpSigning : null }));
        await expectRefused(fixture, outcome, "no_trusted_key");
      }
    });

    it("never skips verification in the validator when no key is given", async () => {
      const fixture = strict;
      const xml = await idpResponse(fixture.keys, { requestId: "_req", encryptFor: null });
      const envelope = readResponseEnvelope(xml, DEFAULT_XML_LIMITS);
      await expect(
        validateResponse(envelope, {
          idpEntityId: "https://idp.kommune.test/adfs",
          trustedCertificates: [],
          allowSha1: false,
          requireSignedAssertion: false,
          requireEncryptedAssertion: false,
          acsUrl: "https://broker.test/saml/acs",
          audience: "https://saml.broker.test",
          requestId: "_req",
          clockSkewMs: 300_000,
          now: Date.now(),
          decryptionKeys: [],
          limits: DEFAULT_XML_LIMITS,
          maxAttributes: 200,
          maxAttributeValues: 1000,
        }),
      ).rejects.toMatchObject({ reason: "no_trusted_key" });
    });

    it("refuses to register an IdP whose metadata has no signing certificate", () => {
      const dir = mkdtempSync(join(tmpdir(), "broker-nokey-"));
      const metadata = join(dir, "idp.xml");
      writeFileSync(
        metadata,
        `<md:EntityDescriptor xmlns:md="${NS.md}" entityID="https://idp.nokey.test"><md:IDPSSODescriptor protocolSupportEnumeration="${NS.samlp}">` +
          `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.nokey.test/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>`,
      );
      const config = validateConfig({ identityProviders: [{ id: "nokey", displayName: "No Key", metadata, cvrs: ["29189846"] }] });
      expect(() => loadTrustRegistry(config)).toThrow(/no signing certificate/);
    });

    it("fails closed when a signed AuthnRequest arrives from a fagsystem without a key in its metadata", async () => {
      const fixture = await createBrokerFixture({ sp: { requireSignedRequests: false }, spMetadata: { authnRequestsSigned: false } });
      const sp = fixture.broker.registry.serviceProviders()[0]!;
      sp.metadata.signingCertificates.length = 0;
      const response = await request(fixture.app).get(spRedirectRequest(fixture.keys).path);
      expect(response.status).toBe(400);
      expect(await reasonsFor(fixture, response.headers["x-correlation-id"] as string)).toContain("no_trusted_key");
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
