/**
 * Attack catalogue, classes 4, 5, 11 and 13: the structure of a Signature
 * itself. Several or hidden SignedInfo, comments inside the values a verifier
 * reads, keys offered by the message, and canonicalization, transform and
 * algorithm abuse (including an algorithm smuggled into the unsigned KeyInfo).
 */
import { beforeAll, describe, expect, it } from "vitest";
import request from "supertest";
import { createBrokerFixture, type BrokerFixture } from "../support/broker-fixture.js";
import { idpResponse, spAuthnRequestXml, testId } from "../support/saml-peers.js";
import { NS } from "../../src/saml/namespaces.js";
import { C14N, DIGEST_ALGORITHM, SIGNATURE_ALGORITHM, TRANSFORM_ENVELOPED } from "../../src/saml/algorithms.js";
import { signEnveloped } from "../../src/saml/sign.js";
import { encodePostMessage } from "../../src/saml/post-binding.js";
import { createHash } from "node:crypto";
import { ExclusiveCanonicalization } from "xml-crypto";
import {
  all,
  child,
  edit,
  expectAccepted,
  expectRefused,
  first,
  fragment,
  handSign,
  libraryAccepts,
  reasonsFor,
  tryAtAcs,
  type HandSignature,
} from "./support/attack-kit.js";

const XPATH_TRANSFORM = "http://www.w3.org/TR/1999/REC-xpath-19991116";
const XSLT_TRANSFORM = "http://www.w3.org/TR/1999/REC-xslt-19991116";
const EXC_WITH_COMMENTS = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments";
const C14N_WITH_COMMENTS = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments";
const HMAC_SHA1 = "http://www.w3.org/2000/09/xmldsig#hmac-sha1";
const HMAC_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256";

describe("signature structure attacks", () => {
  let fixture: BrokerFixture;
  beforeAll(async () => {
    fixture = await createBrokerFixture();
  });

  /** A plain (unencrypted) response whose assertion signature is edited after signing. */
  const withSignedAssertion = (editSigned: (xml: string) => string) => (requestId: string) =>
    idpResponse(fixture.keys, { requestId, encryptFor: null, editSignedAssertion: editSigned });

  /** A plain response whose assertion is signed by hand with `options`. */
  const handSigned = (options: HandSignature, assertionId = testId("_a")) => (requestId: string) =>
    idpResponse(fixture.keys, {
      requestId,
      assertionId,
      encryptFor: null,
      signAssertionWith: null,
      editAssertion: (xml) => handSign(xml, assertionId, fixture.keys.idpSigning, options),
    });

  describe("class 4: SignedInfo that is doubled, wrapped or missing", () => {
    it("refuses a Signature with two SignedInfo", async () => {
      const outcome = await tryAtAcs(
        fixture,
        withSignedAssertion((xml) =>
          edit(xml, (doc) => {
            const signedInfo = first(doc, NS.ds, "SignedInfo");
            signedInfo.parentNode!.insertBefore(signedInfo.cloneNode(true), signedInfo);
          }),
        ),
      );
      await expectRefused(fixture, outcome, "signature_malformed");
    });

    it("refuses a SignedInfo wrapped in another element", async () => {
      const outcome = await tryAtAcs(
        fixture,
        withSignedAssertion((xml) =>
          edit(xml, (doc) => {
            const signedInfo = first(doc, NS.ds, "SignedInfo");
            const wrapper = doc.createElementNS("urn:example:wrapper", "w:Wrapper");
            signedInfo.parentNode!.insertBefore(wrapper, signedInfo);
            wrapper.appendChild(signedInfo);
          }),
        ),
      );
      await expectRefused(fixture, outcome, "signature_malformed");
    });

    it("refuses a Signature without SignedInfo", async () => {
      const outcome = await tryAtAcs(
        fixture,
        withSignedAssertion((xml) =>
          edit(xml, (doc) => {
            const signedInfo = first(doc, NS.ds, "SignedInfo");
            signedInfo.parentNode!.removeChild(signedInfo);
          }),
        ),
      );
      await expectRefused(fixture, outcome, "signature_malformed");
    });

    it("refuses a look-alike SignedInfo in a foreign namespace placed before the real one", async () => {
      const outcome = await tryAtAcs(
        fixture,
        withSignedAssertion((xml) =>
          edit(xml, (doc) => {
            const signedInfo = first(doc, NS.ds, "SignedInfo");
            const decoy = fragment(doc, `<x:SignedInfo xmlns:x="urn:example:decoy"><x:Reference URI="#_elsewhere"/></x:SignedInfo>`);
            signedInfo.parentNode!.insertBefore(decoy, signedInfo);
          }),
        ),
      );
      await expectRefused(fixture, outcome, "signature_malformed");
    });
  });

  describe("class 5: comments inside DigestValue or SignatureValue", () => {
    it("refuses a comment in DigestValue that carries the digest of a forged assertion", async () => {
      const outcome = await tryAtAcs(
        fixture,
        withSignedAssertion((xml) =>
          edit(xml, (doc) => {
            // Forge the identity, then offer its digest in a comment next to the original digest:
            // the canonical SignedInfo (comments dropped) still matches the IdP's SignatureValue.
            setNameId(doc, "C=DK,O=29189846,CN=Mallory,Serial=666");
            const assertion = doc.documentElement;
            const copy = assertion.cloneNode(true) as Element;
            for (const s of all(copy, NS.ds, "Signature")) if (s.parentNode === copy) copy.removeChild(s);
            const forged = createHash("sha256").update(new ExclusiveCanonicalization().process(copy, {}).toString()).digest("base64");
            const digestValue = first(doc, NS.ds, "DigestValue");
            digestValue.insertBefore(doc.createComment(forged), digestValue.firstChild);
          }),
        ),
      );
      await expectRefused(fixture, outcome, "xml_mixed_content");
    });

    it("refuses a comment splitting SignatureValue", async () => {
      const outcome = await tryAtAcs(
        fixture,
        withSignedAssertion((xml) =>
          edit(xml, (doc) => {
            const value = first(doc, NS.ds, "SignatureValue");
            const text = value.textContent ?? "";
            while (value.firstChild) value.removeChild(value.firstChild);
            value.appendChild(doc.createTextNode(text.slice(0, 20)));
            value.appendChild(doc.createComment("x"));
            value.appendChild(doc.createTextNode(text.slice(20)));
          }),
        ),
      );
      await expectRefused(fixture, outcome, "xml_mixed_content");
    });
  });

  describe("class 11: keys come only from metadata, never from KeyInfo", () => {
    it("refuses an assertion re-signed by an attacker whose certificate is in KeyInfo", async () => {
      let sent = "";
      const outcome = await tryAtAcs(fixture, async (requestId, keys) => {
        sent = await idpResponse(keys, { requestId, encryptFor: null, signAssertionWith: keys.attacker, nameId: "C=DK,O=29189846,CN=Mallory,Serial=666" });
        return sent;
      });
      expect(sent).toContain(fixture.keys.attacker.certificateBase64.slice(0, 60));
      await expectRefused(fixture, outcome, "signature_invalid");
    });

    it("refuses a Response re-signed by an attacker, even from an IdP that accepts signed Responses", async () => {
      const lax = await createBrokerFixture({ idp: { requireSignedAssertion: false } });
      const outcome = await tryAtAcs(lax, (requestId, keys) => idpResponse(keys, { requestId, encryptFor: null, signAssertionWith: null, signResponseWith: keys.attacker }));
      await expectRefused(lax, outcome, "signature_invalid");
    });

    it("refuses an HTTP-POST AuthnRequest re-signed by an attacker whose certificate is in KeyInfo", async () => {
      const id = testId();
      const xml = spAuthnRequestXml(id);
      const signed = signEnveloped(xml, id, true, { key: fixture.keys.attacker });
      expect(signed).toContain("X509Certificate");
      const response = await request(fixture.app).post("/saml/sso?municipality=test-kommune").type("form").send({ SAMLRequest: encodePostMessage(signed) });
      expect(response.status).toBe(400);
      expect(await reasonsFor(fixture, response.headers["x-correlation-id"] as string)).toContain("signature_invalid");
    });
  });

  describe("class 13: canonicalization, transform and algorithm abuse", () => {
    it("accepts a hand-made signature with allowed algorithms (control for the cases below)", async () => {
      await expectAccepted(await tryAtAcs(fixture, handSigned({})));
    });

    const ABUSES: Array<{ name: string; options: (f: BrokerFixture) => HandSignature; libraryWouldAccept: boolean }> = [
      { name: "exclusive c14n #WithComments for SignedInfo", options: () => ({ canonicalization: EXC_WITH_COMMENTS }), libraryWouldAccept: true },
      { name: "inclusive c14n #WithComments for SignedInfo", options: () => ({ canonicalization: C14N_WITH_COMMENTS }), libraryWouldAccept: false },
      { name: "a #WithComments transform", options: () => ({ transforms: [TRANSFORM_ENVELOPED, EXC_WITH_COMMENTS] }), libraryWouldAccept: true },
      { name: "three transforms", options: () => ({ transforms: [TRANSFORM_ENVELOPED, C14N.exclusive, C14N.exclusive] }), libraryWouldAccept: true },
      {
        name: "an XPath transform",
        options: () => ({ transforms: [TRANSFORM_ENVELOPED, XPATH_TRANSFORM], transformBody: "<ds:XPath>not(ancestor-or-self::*)</ds:XPath>" }),
        libraryWouldAccept: false,
      },
      { name: "an XSLT transform", options: () => ({ transforms: [TRANSFORM_ENVELOPED, XSLT_TRANSFORM] }), libraryWouldAccept: false },
      { name: "an unknown signature algorithm", options: () => ({ signatureMethod: "urn:example:none" }), libraryWouldAccept: false },
      { name: "an unknown digest algorithm", options: () => ({ digestMethod: "urn:example:crc32" }), libraryWouldAccept: false },
      {
        name: "HMAC-SHA1 keyed with the IdP's public certificate (key confusion)",
        options: (f) => ({ signatureMethod: HMAC_SHA1, compute: { kind: "hmac", hash: "sha1", secret: f.keys.idpSigning.certificatePem } }),
        libraryWouldAccept: false,
      },
      {
        name: "HMAC-SHA256 keyed with the IdP's public certificate (key confusion)",
        options: (f) => ({ signatureMethod: HMAC_SHA256, compute: { kind: "hmac", hash: "sha256", secret: f.keys.idpSigning.certificatePem } }),
        libraryWouldAccept: false,
      },
      { name: "a SHA-1 digest where SHA-1 is not allowed", options: () => ({ digestMethod: DIGEST_ALGORITHM.sha1 }), libraryWouldAccept: true },
      { name: "an RSA-SHA1 signature where SHA-1 is not allowed", options: () => ({ signatureMethod: SIGNATURE_ALGORITHM.rsaSha1 }), libraryWouldAccept: true },
    ];

    for (const abuse of ABUSES) {
      it(`refuses ${abuse.name}`, async () => {
        const assertionId = testId("_a");
        let sent = "";
        const outcome = await tryAtAcs(fixture, async (requestId) => {
          sent = await handSigned(abuse.options(fixture), assertionId)(requestId);
          return sent;
        });
        await expectRefused(fixture, outcome, "algorithm_not_allowed");
        expect(libraryAccepts(sent, assertionId, fixture.keys.idpSigning.certificatePem), "what xml-crypto alone would say").toBe(abuse.libraryWouldAccept);
      });
    }

    it("refuses a SignatureMethod smuggled into the unsigned KeyInfo ahead of SignedInfo (SHA-1 downgrade)", async () => {
      // SignedInfo says RSA-SHA256 (what the allow-list reads); the value is really RSA-SHA1, and a
      // SignatureMethod saying so sits in a KeyInfo placed first, where xml-crypto looks first.
      const assertionId = testId("_a");
      let sent = "";
      const outcome = await tryAtAcs(fixture, async (requestId) => {
        sent = await handSigned(
          {
            compute: { kind: "rsa", hash: "sha1", key: fixture.keys.idpSigning },
            keyInfo: `<ds:SignatureMethod Algorithm="${SIGNATURE_ALGORITHM.rsaSha1}"/>`,
            keyInfoFirst: true,
          },
          assertionId,
        )(requestId);
        return sent;
      });
      expect(libraryAccepts(sent, assertionId, fixture.keys.idpSigning.certificatePem), "xml-crypto alone verifies it as RSA-SHA1").toBe(true);
      await expectRefused(fixture, outcome, "signature_malformed");
    });

    it("refuses a #WithComments CanonicalizationMethod smuggled into KeyInfo ahead of SignedInfo", async () => {
      const assertionId = testId("_a");
      let sent = "";
      const outcome = await tryAtAcs(fixture, async (requestId) => {
        sent = await handSigned({ keyInfo: `<ds:CanonicalizationMethod Algorithm="${EXC_WITH_COMMENTS}"/>`, keyInfoFirst: true }, assertionId)(requestId);
        return sent;
      });
      expect(libraryAccepts(sent, assertionId, fixture.keys.idpSigning.certificatePem)).toBe(true);
      await expectRefused(fixture, outcome, "signature_malformed");
    });

    it("refuses an algorithm element hidden in a schema-ordered KeyInfo", async () => {
      const outcome = await tryAtAcs(fixture, handSigned({ keyInfo: `<ds:X509Data/><ds:SignatureMethod Algorithm="${SIGNATURE_ALGORITHM.rsaSha1}"/>` }));
      await expectRefused(fixture, outcome, "signature_malformed");
    });

    it("refuses a Signature whose children are out of schema order", async () => {
      const outcome = await tryAtAcs(
        fixture,
        withSignedAssertion((xml) =>
          edit(xml, (doc) => {
            const signature = first(doc, NS.ds, "Signature");
            signature.insertBefore(child(signature, "SignatureValue"), child(signature, "SignedInfo"));
          }),
        ),
      );
      await expectRefused(fixture, outcome, "signature_malformed");
    });

    it("accepts RSA-SHA1 only from an IdP whose config allows SHA-1", async () => {
      const legacy = await createBrokerFixture({ idp: { allowSha1: true } });
      await expectAccepted(await tryAtAcs(legacy, (requestId, keys) => idpResponse(keys, { requestId, encryptFor: null, signatureAlgorithm: SIGNATURE_ALGORITHM.rsaSha1 })));
      const strict = await tryAtAcs(fixture, (requestId, keys) => idpResponse(keys, { requestId, encryptFor: null, signatureAlgorithm: SIGNATURE_ALGORITHM.rsaSha1 }));
      await expectRefused(fixture, strict, "algorithm_not_allowed");
    });
  });
});

function setNameId(doc: Document, value: string): void {
  const nameId = first(doc, NS.saml, "NameID");
  while (nameId.firstChild) nameId.removeChild(nameId.firstChild);
  nameId.appendChild(doc.createTextNode(value));
}
