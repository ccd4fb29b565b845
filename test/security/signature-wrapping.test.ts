/**
 * Attack catalogue, classes 1 and 3: signature wrapping (XSW). A genuinely
 * signed assertion is moved somewhere a verifier still finds it (Extensions,
 * ds:Object, Advice, a wrapper element) while a forged, unsigned assertion
 * sits where a naive reader looks; the whole Response is wrapped; a
 * signature's Reference names another element than the one being read.
 *
 * Each case first shows the attack is meaningful: xml-crypto on its own still
 * verifies the moved signature, and a naive reader (first saml:Assertion in
 * document order) would see the forged identity.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createBrokerFixture, type BrokerFixture } from "../support/broker-fixture.js";
import { idpResponse, testId } from "../support/saml-peers.js";
import { NS } from "../../src/saml/namespaces.js";
import { encryptAssertion, OIOSAML3_ENCRYPTION } from "../../src/saml/encrypt-assertion.js";
import { all, child, dom, edit, expectRefused, first, FORGED, fragment, insertAfter, libraryAccepts, removeSignatures, setText, tryAtAcs, xmlOf } from "./support/attack-kit.js";

/** What a naive reader sees: /Response/Assertion/Subject/NameID. */
function naiveNameId(xml: string): string {
  const root = dom(xml).documentElement;
  return child(child(child(root, "Assertion"), "Subject"), "NameID").textContent ?? "";
}

/** A forged copy of `assertion`: unsigned, the attacker's NameID, optionally a new ID. */
function forgedCopy(assertion: Element, id?: string): Element {
  const forged = assertion.cloneNode(true) as Element;
  removeSignatures(forged);
  setText(forged, NS.saml, "NameID", FORGED);
  if (id) forged.setAttribute("ID", id);
  return forged;
}

describe("signature wrapping", () => {
  let fixture: BrokerFixture;
  let lax: BrokerFixture;
  beforeAll(async () => {
    fixture = await createBrokerFixture();
    lax = await createBrokerFixture({ idp: { requireSignedAssertion: false } });
  });

  /** A genuine plain response for `requestId`, with the assertion's ID known. */
  async function genuine(requestId: string, options: { signResponse?: boolean; f?: BrokerFixture } = {}): Promise<{ xml: string; assertionId: string }> {
    const f = options.f ?? fixture;
    const assertionId = testId("_a");
    const xml = await idpResponse(f.keys, { requestId, assertionId, encryptFor: null, signResponseWith: options.signResponse ? f.keys.idpSigning : null });
    return { xml, assertionId };
  }

  /** `wrap` returns the ID of the element holding the signature a position-scoped verifier would check, when it moved. */
  const WRAPS: Array<{ name: string; wrap: (doc: Document, original: Element) => string | void }> = [
    {
      name: "signed assertion moved into samlp:Extensions, forged one in its place",
      wrap: (doc, original) => {
        const response = doc.documentElement;
        const extensions = doc.createElementNS(NS.samlp, "samlp:Extensions");
        response.insertBefore(extensions, child(response, "Status"));
        response.replaceChild(forgedCopy(original, testId("_forged")), original);
        extensions.appendChild(original);
      },
    },
    {
      name: "signed assertion moved into a wrapper element of a foreign namespace",
      wrap: (doc, original) => {
        const response = doc.documentElement;
        const wrapper = doc.createElementNS("urn:example:wrapper", "w:Wrapper");
        response.replaceChild(forgedCopy(original, testId("_forged")), original);
        insertAfter(child(response, "Status"), wrapper);
        wrapper.appendChild(original);
      },
    },
    {
      name: "signed assertion moved into ds:Object of the forged assertion's copied Signature",
      wrap: (doc, original) => {
        const forged = forgedCopy(original, testId("_forged"));
        const signature = child(original, "Signature");
        insertAfter(child(forged, "Issuer"), signature);
        doc.documentElement.replaceChild(forged, original);
        const object = doc.createElementNS(NS.ds, "ds:Object");
        signature.appendChild(object);
        object.appendChild(original);
        return forged.getAttribute("ID")!;
      },
    },
    {
      name: "signed assertion moved into saml:Advice of the forged assertion",
      wrap: (doc, original) => {
        const forged = forgedCopy(original, testId("_forged"));
        const advice = doc.createElementNS(NS.saml, "saml:Advice");
        forged.insertBefore(advice, child(forged, "AuthnStatement"));
        doc.documentElement.replaceChild(forged, original);
        advice.appendChild(original);
      },
    },
    {
      name: "forged assertion with the same ID placed first, signed one kept after it",
      wrap: (doc, original) => {
        const forged = forgedCopy(original);
        insertAfter(child(forged, "Issuer"), first(original, NS.ds, "Signature").cloneNode(true));
        doc.documentElement.insertBefore(forged, original);
      },
    },
    {
      name: "forged assertion, with the signed one hidden in the forged assertion's Subject",
      wrap: (doc, original) => {
        const forged = forgedCopy(original, testId("_forged"));
        doc.documentElement.replaceChild(forged, original);
        child(forged, "Subject").appendChild(original);
      },
    },
  ];

  describe("class 1: the signed assertion moved, a forged one where a naive reader looks", () => {
    for (const variant of WRAPS) {
      it(`refuses: ${variant.name}`, async () => {
        let sent = "";
        let assertionId = "";
        let signatureHolder = "";
        const outcome = await tryAtAcs(fixture, async (requestId) => {
          const message = await genuine(requestId);
          assertionId = message.assertionId;
          sent = edit(message.xml, (doc) => {
            const original = all(doc, NS.saml, "Assertion").find((a) => a.getAttribute("ID") === assertionId)!;
            signatureHolder = variant.wrap(doc, original) || assertionId;
          });
          return sent;
        });
        expect(naiveNameId(sent)).toBe(FORGED);
        // With two elements sharing the ID, xml-crypto refuses by itself; otherwise the moved signature still verifies.
        expect(libraryAccepts(sent, signatureHolder, fixture.keys.idpSigning.certificatePem), "xml-crypto alone").toBe(!variant.name.includes("same ID"));
        await expectRefused(fixture, outcome, "assertion_count");
      });
    }

    it("refuses a forged EncryptedAssertion whose plaintext wraps the signed assertion in Advice", async () => {
      const outcome = await tryAtAcs(fixture, async (requestId, keys) => {
        const assertionId = testId("_a");
        let signedAssertion = "";
        await idpResponse(keys, {
          requestId,
          assertionId,
          encryptFor: null,
          editSignedAssertion: (xml) => {
            signedAssertion = xml;
            return xml;
          },
        });
        // Anyone can encrypt to the broker's public certificate.
        const plaintext = edit(signedAssertion, (doc) => {
          const original = doc.documentElement;
          const forged = forgedCopy(original, testId("_forged"));
          const advice = doc.createElementNS(NS.saml, "saml:Advice");
          forged.insertBefore(advice, child(forged, "AuthnStatement"));
          advice.appendChild(doc.importNode(original, true));
          doc.replaceChild(forged, original);
        });
        const encrypted = await encryptAssertion(plaintext, keys.brokerEncryption.certificatePem, OIOSAML3_ENCRYPTION);
        return idpResponse(keys, { requestId, encryptFor: null, editResponse: (xml) => edit(xml, (doc) => doc.documentElement.replaceChild(fragment(doc, encrypted), first(doc, NS.saml, "Assertion"))) });
      });
      await expectRefused(fixture, outcome, "assertion_not_signed");
    });

    it("refuses the whole signed Response wrapped inside a forged Response", async () => {
      let sent = "";
      const outcome = await tryAtAcs(lax, async (requestId) => {
        const { xml } = await genuine(requestId, { signResponse: true, f: lax });
        sent = edit(xml, (doc) => {
          const original = doc.documentElement;
          const outer = original.cloneNode(true) as Element;
          outer.setAttribute("ID", testId("_outer"));
          removeSignatures(outer);
          for (const a of all(outer, NS.saml, "Assertion")) outer.replaceChild(forgedCopy(a), a);
          const extensions = doc.createElementNS(NS.samlp, "samlp:Extensions");
          outer.insertBefore(extensions, child(outer, "Status"));
          doc.replaceChild(outer, original);
          extensions.appendChild(original);
        });
        return sent;
      });
      expect(naiveNameId(sent)).toBe(FORGED);
      await expectRefused(lax, outcome, "assertion_count");
    });

    it("refuses a forged Response carrying the genuine Response inside its copied Signature's ds:Object", async () => {
      const outcome = await tryAtAcs(lax, async (requestId) => {
        const { xml } = await genuine(requestId, { signResponse: true, f: lax });
        return edit(xml, (doc) => {
          const original = doc.documentElement;
          const outer = original.cloneNode(true) as Element;
          outer.setAttribute("ID", testId("_outer"));
          for (const a of all(outer, NS.saml, "Assertion")) outer.replaceChild(forgedCopy(a), a);
          const signature = child(outer, "Signature");
          const object = doc.createElementNS(NS.ds, "ds:Object");
          signature.appendChild(object);
          doc.replaceChild(outer, original);
          object.appendChild(original);
        });
      });
      await expectRefused(lax, outcome, "signature_malformed");
    });

    it("refuses a forged Response with the genuine signed Response's signature and no other assertion", async () => {
      // The genuine Response (signed, its assertion unsigned) is replaced by a forged one that keeps
      // the signature: the Reference names the genuine ID, which is no longer in the message.
      const outcome = await tryAtAcs(lax, async (requestId, keys) => {
        const xml = await idpResponse(keys, { requestId, encryptFor: null, signAssertionWith: null, signResponseWith: keys.idpSigning });
        return edit(xml, (doc) => {
          doc.documentElement.setAttribute("ID", testId("_forged"));
          setText(doc, NS.saml, "NameID", FORGED);
        });
      });
      await expectRefused(lax, outcome, "signature_reference");
    });
  });

  describe("class 3: the Reference names another element than the one being read", () => {
    it("refuses a Response signature moved into the assertion (scope by position, not by Reference)", async () => {
      // The IdP signed only the Response. Moved into the assertion, the signature still verifies
      // (its Reference is the Response, enveloped transform drops it), but it does not sign the
      // assertion by its Reference.
      let sent = "";
      let responseId = "";
      const outcome = await tryAtAcs(fixture, async (requestId, keys) => {
        const xml = await idpResponse(keys, { requestId, encryptFor: null, signAssertionWith: null, signResponseWith: keys.idpSigning });
        sent = edit(xml, (doc) => {
          const response = doc.documentElement;
          responseId = response.getAttribute("ID")!;
          const signature = child(response, "Signature");
          const assertion = child(response, "Assertion");
          insertAfter(child(assertion, "Issuer"), signature);
        });
        return sent;
      });
      expect(responseId).not.toBe("");
      expect(verifiesByPosition(sent, fixture.keys.idpSigning.certificatePem), "a verifier that scopes by position accepts it").toBe(true);
      await expectRefused(fixture, outcome, "signature_reference");
    });

    it("refuses an assertion signature whose Reference URI is empty (the whole document)", async () => {
      const outcome = await tryAtAcs(fixture, (requestId, keys) =>
        idpResponse(keys, {
          requestId,
          encryptFor: null,
          editSignedAssertion: (xml) => edit(xml, (doc) => first(doc, NS.ds, "Reference").setAttribute("URI", "")),
        }),
      );
      await expectRefused(fixture, outcome, "signature_reference");
    });

    it("refuses an assertion signature whose Reference names a sibling element", async () => {
      const outcome = await tryAtAcs(fixture, (requestId, keys) =>
        idpResponse(keys, {
          requestId,
          encryptFor: null,
          editResponse: (xml) =>
            edit(xml, (doc) => {
              const status = child(doc.documentElement, "Status");
              status.setAttribute("ID", "_status");
              first(doc, NS.ds, "Reference").setAttribute("URI", "#_status");
            }),
        }),
      );
      await expectRefused(fixture, outcome, "signature_reference");
    });
  });
});

/** xml-crypto's verdict on the first Signature in the message, whatever element it sits in. */
function verifiesByPosition(xml: string, certificatePem: string): boolean {
  const doc = dom(xml);
  const signature = first(doc, NS.ds, "Signature");
  const holder = signature.parentNode as Element;
  const id = holder.getAttribute("ID");
  if (!id) return false;
  // Point the helper at the element holding the signature, as a position-based verifier would.
  return libraryAccepts(xmlOf(doc), id, certificatePem);
}
