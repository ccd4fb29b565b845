/**
 * Attack catalogue, classes 6, 7, 8 and 14: the parser. Comments and
 * processing instructions that would truncate a value, DOCTYPE and entity
 * tricks, duplicate IDs, namespace redeclarations that make the verified tree
 * and the read tree differ, several roots or trailing content, XXE and
 * billion laughs. Every endpoint that parses XML is tried: ACS, SSO (both
 * bindings), decrypted assertions and metadata.
 */
import { beforeAll, describe, expect, it } from "vitest";
import request from "supertest";
import { deflateRawSync } from "node:zlib";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBrokerFixture, SP_ENTITY_ID, type BrokerFixture } from "../support/broker-fixture.js";
import { idpResponse, testId, spAuthnRequestXml } from "../support/saml-peers.js";
import { NS } from "../../src/saml/namespaces.js";
import { encryptAssertion, OIOSAML3_ENCRYPTION } from "../../src/saml/encrypt-assertion.js";
import { encodePostMessage } from "../../src/saml/post-binding.js";
import { verifyEnvelopedSignature } from "../../src/saml/verify-signature.js";
import { parseXml, requiredChild, textOf } from "../../src/xml/xml-parser.js";
import { validateConfig } from "../../src/config/load-config.js";
import { loadTrustRegistry } from "../../src/trust/registry.js";
import { idpMetadataXml } from "../../src/demo/demo-metadata.js";
import { all, child, dom, edit, expectRefused, first, fragment, libraryAccepts, postResponse, reasonsFor, tryAtAcs, xmlOf } from "./support/attack-kit.js";
import { startLogin } from "../support/saml-peers.js";

const VICTIM = "victim@kommune.dk";
const REGISTERED = "victim@kommune.dk.evil.dk";

const BILLION_LAUGHS =
  '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
  '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">' +
  '<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;"><!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">' +
  '<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;"><!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">' +
  '<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>';

/** Puts a DOCTYPE in front of the message's root element. */
function withDoctype(xml: string, doctype: string): string {
  return doctype + xml.replace(/^<\?xml[^>]*\?>/, "");
}

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

  describe("class 8: more than one root, trailing content", () => {
    const TRAILERS: Array<[string, (xml: string, assertion: string) => string]> = [
      ["a second root element (a forged assertion)", (xml, assertion) => xml + assertion],
      ["a second root element before the Response", (xml, assertion) => assertion + xml.replace(/^<\?xml[^>]*\?>/, "")],
      ["trailing text", (xml) => `${xml}garbage`],
      ["a trailing comment", (xml) => `${xml}<!-- trailing -->`],
      ["a trailing processing instruction", (xml) => `${xml}<?evil data?>`],
    ];
    for (const [name, make] of TRAILERS) {
      it(`refuses ${name}`, async () => {
        const outcome = await tryAtAcs(fixture, async (requestId, keys) => {
          const forged = xmlOf(first(dom(await idpResponse(keys, { requestId, encryptFor: null, signAssertionWith: null })), NS.saml, "Assertion"));
          return idpResponse(keys, { requestId, encryptFor: null, editResponse: (xml) => make(xml, forged) });
        });
        await expectRefused(fixture, outcome, "xml_malformed");
      });
    }

    it("refuses two SAMLResponse fields in one form", async () => {
      const login = await startLogin(fixture);
      const xml = await idpResponse(fixture.keys, { requestId: login.upstreamRequestId, encryptFor: null });
      const response = await login.agent.post("/saml/acs").type("form").send(`SAMLResponse=${encodeURIComponent(encodePostMessage(xml))}&SAMLResponse=${encodeURIComponent(encodePostMessage(xml))}`);
      expect(response.status).toBe(400);
      expect(await reasonsFor(fixture, response.headers["x-correlation-id"] as string)).toContain("binding_invalid");
    });

    it("refuses base64 with data after the padding", async () => {
      const login = await startLogin(fixture);
      const xml = await idpResponse(fixture.keys, { requestId: login.upstreamRequestId, encryptFor: null });
      const response = await login.agent.post("/saml/acs").type("form").send({ SAMLResponse: `${encodePostMessage(xml)}=AAAA` });
      expect(response.status).toBe(400);
      expect(await reasonsFor(fixture, response.headers["x-correlation-id"] as string)).toContain("binding_invalid");
    });
  });

  describe("class 14: XXE, external entities, billion laughs", () => {
    const DOCTYPES: Array<[string, string]> = [
      ["an external entity (XXE) reading a local file", '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'],
      ["an external DTD", '<!DOCTYPE r SYSTEM "http://127.0.0.1:1/evil.dtd">'],
      ["a parameter entity", '<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:1/p.dtd"> %p;]>'],
      ["billion laughs", BILLION_LAUGHS.replace('<?xml version="1.0"?>', "")],
    ];

    for (const [name, doctype] of DOCTYPES) {
      it(`refuses ${name} at the ACS, quickly`, async () => {
        const started = Date.now();
        const outcome = await tryAtAcs(fixture, (requestId, keys) => idpResponse(keys, { requestId, encryptFor: null, editResponse: (xml) => withDoctype(xml.replace("CN=Anna Andersen", "CN=&xxe;"), doctype) }));
        await expectRefused(fixture, outcome, "xml_doctype");
        expect(Date.now() - started).toBeLessThan(5_000);
      });
    }

    it("refuses billion laughs in a redirect AuthnRequest", async () => {
      const xml = withDoctype(spAuthnRequestXml(testId()).replace(SP_ENTITY_ID, "&lol9;"), BILLION_LAUGHS);
      const response = await request(fixture.app).get(`/saml/sso?municipality=test-kommune&SAMLRequest=${encodeURIComponent(deflateRawSync(xml).toString("base64"))}`);
      expect(response.status).toBe(400);
      expect(await reasonsFor(fixture, response.headers["x-correlation-id"] as string)).toContain("xml_doctype");
    });

    it("refuses XXE in an HTTP-POST AuthnRequest", async () => {
      const xml = withDoctype(spAuthnRequestXml(testId()).replace(SP_ENTITY_ID, "&xxe;"), '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>');
      const response = await request(fixture.app).post("/saml/sso?municipality=test-kommune").type("form").send({ SAMLRequest: encodePostMessage(xml) });
      expect(response.status).toBe(400);
      expect(await reasonsFor(fixture, response.headers["x-correlation-id"] as string)).toContain("xml_doctype");
    });

    it("refuses XXE hidden inside an EncryptedAssertion", async () => {
      const login = await startLogin(fixture);
      let signed = "";
      await idpResponse(fixture.keys, { requestId: login.upstreamRequestId, encryptFor: null, editSignedAssertion: (xml) => (signed = xml) });
      const encrypted = await encryptAssertion(withDoctype(signed, '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'), fixture.keys.brokerEncryption.certificatePem, OIOSAML3_ENCRYPTION);
      const xml = await idpResponse(fixture.keys, {
        requestId: login.upstreamRequestId,
        editResponse: (text) => edit(text, (doc) => doc.documentElement.replaceChild(fragment(doc, encrypted), first(doc, NS.saml, "EncryptedAssertion"))),
      });
      const outcome = await postResponse(login.agent, xml);
      await expectRefused(fixture, outcome, "decrypted_not_one_assertion");
      expect(fixture.logs.find((l) => l.correlationId === outcome.correlationId && l.reason === "decrypted_not_one_assertion")?.["detail"]).toMatch(/DOCTYPE/);
    });

    it("refuses XXE in metadata at load", () => {
      const dir = mkdtempSync(join(tmpdir(), "broker-xxe-"));
      const metadata = join(dir, "idp.xml");
      writeFileSync(metadata, withDoctype(idpMetadataXml({ entityId: "https://idp.xxe.test", signing: fixture.keys.idpSigning, ssoUrl: "https://idp.xxe.test/sso" }), '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'));
      const config = validateConfig({ identityProviders: [{ id: "xxe", displayName: "XXE", metadata, cvrs: ["29189846"] }] });
      expect(() => loadTrustRegistry(config)).toThrow(/DOCTYPE/);
    });
  });
});

