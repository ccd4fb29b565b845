/**
 * Attack catalogue, class 12: no signature at all, and a party without a
 * key. Verification is never skipped; the broker fails closed.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { createBrokerFixture, type BrokerFixture } from "../support/broker-fixture.js";
import { idpResponse, spRedirectRequest } from "../support/saml-peers.js";
import { NS } from "../../src/saml/namespaces.js";
import { validateConfig } from "../../src/config/load-config.js";
import { loadTrustRegistry, type SamlIdentityProvider } from "../../src/trust/registry.js";
import { readResponseEnvelope, validateResponse } from "../../src/saml/response-validator.js";
import { DEFAULT_XML_LIMITS } from "../../src/xml/xml-parser.js";
import { expectRefused, reasonsFor, tryAtAcs } from "./support/attack-kit.js";

describe("signature placement and assertion count", () => {
  let strict: BrokerFixture;
  let lax: BrokerFixture;
  beforeAll(async () => {
    strict = await createBrokerFixture();
    lax = await createBrokerFixture({ idp: { requireSignedAssertion: false } });
  });

  describe("class 12: no signature at all, and an IdP without a key", () => {
    it("refuses a Response with no signature anywhere (see also acs-rejections)", async () => {
      const outcome = await tryAtAcs(lax, (requestId, keys) => idpResponse(keys, { requestId, signAssertionWith: null, encryptFor: null }));
      await expectRefused(lax, outcome, "assertion_not_signed");
    });

    it("fails closed when the IdP has no signing key at run time: signed and unsigned messages alike", async () => {
      const fixture = await createBrokerFixture();
      const idp = fixture.broker.registry.identityProvider("test-kommune") as SamlIdentityProvider;
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
