/**
 * Attack catalogue, class 14: XXE, external DTDs, parameter entities and
 * billion laughs at every endpoint that parses XML: ACS, SSO (both bindings),
 * inside an EncryptedAssertion, and metadata.
 */
import { beforeAll, describe, expect, it } from "vitest";
import request from "supertest";
import { deflateRawSync } from "node:zlib";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBrokerFixture, SP_ENTITY_ID, type BrokerFixture } from "../support/broker-fixture.js";
import { idpResponse, startLogin, testId, spAuthnRequestXml } from "../support/saml-peers.js";
import { NS } from "../../src/saml/namespaces.js";
import { encryptAssertion, OIOSAML3_ENCRYPTION } from "../../src/saml/encrypt-assertion.js";
import { encodePostMessage } from "../../src/saml/post-binding.js";
import { validateConfig } from "../../src/config/load-config.js";
import { loadTrustRegistry } from "../../src/trust/registry.js";
import { idpMetadataXml } from "../../src/demo/demo-metadata.js";
import { edit, expectRefused, first, fragment, postResponse, reasonsFor, tryAtAcs } from "./support/attack-kit.js";
import { BILLION_LAUGHS, withDoctype } from "./support/doctypes.js";

describe("parser attacks", () => {
  let fixture: BrokerFixture;
  beforeAll(async () => {
    fixture = await createBrokerFixture();
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
