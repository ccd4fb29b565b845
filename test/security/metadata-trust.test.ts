/**
 * Attack catalogue, class 24: stale or unauthenticated trust. Metadata past
 * its validUntil is refused at load; when a party's config names
 * `metadataSigningCert`, its metadata must carry a valid enveloped signature
 * by that certificate, and only the signed bytes are read.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBrokerFixture, fixtureKeys, IDP_ENTITY_ID, IDP_SSO_URL, MUNICIPALITY_CVR, SP_ACS_URL, SP_ENTITY_ID, type FixtureKeys } from "../support/broker-fixture.js";
import { testKey } from "../support/keys.js";
import { idpResponse } from "../support/saml-peers.js";
import type { KeyMaterial } from "../../src/keys/key-material.js";
import { idpMetadataXml, spMetadataXml } from "../../src/demo/demo-metadata.js";
import { validateConfig } from "../../src/config/load-config.js";
import { loadTrustRegistry, type SamlIdentityProvider } from "../../src/trust/registry.js";
import { signEnveloped } from "../../src/saml/sign.js";
import { BINDING, NS } from "../../src/saml/namespaces.js";
import { SIGNATURE_ALGORITHM } from "../../src/saml/algorithms.js";
import { edit, expectAccepted, first, tryAtAcs } from "./support/attack-kit.js";

const DAY = 86_400_000;

describe("metadata trust", () => {
  let keys: FixtureKeys;
  let federation: KeyMaterial;
  let dir: string;
  let federationCert: string;
  beforeAll(async () => {
    keys = await fixtureKeys();
    federation = await testKey("federation-metadata-signer");
    dir = mkdtempSync(join(tmpdir(), "broker-metadata-"));
    federationCert = join(dir, "federation.cert.pem");
    writeFileSync(federationCert, federation.certificatePem);
  });

  const idpXml = (attrs = "") => idpMetadataXml({ entityId: IDP_ENTITY_ID, signing: keys.idpSigning, ssoUrl: IDP_SSO_URL, bindings: [BINDING.redirect] }).replace("<md:EntityDescriptor ", `<md:EntityDescriptor ID="_md1" ${attrs ? `${attrs} ` : ""}`);
  const spXml = (attrs = "") =>
    spMetadataXml({ entityId: SP_ENTITY_ID, signing: keys.spSigning, encryption: keys.spEncryption, acsUrls: [SP_ACS_URL] }).replace("<md:EntityDescriptor ", `<md:EntityDescriptor ID="_md2" ${attrs ? `${attrs} ` : ""}`);
  const sign = (xml: string, id: string, key: KeyMaterial = federation, algorithm?: (typeof SIGNATURE_ALGORITHM)[keyof typeof SIGNATURE_ALGORITHM]) =>
    signEnveloped(xml, id, false, { key, algorithm });

  let counter = 0;
  function load(kind: "idp" | "sp", xml: string, signingCert: string | null = federationCert) {
    counter += 1;
    const path = join(dir, `${kind}-${counter}.xml`);
    writeFileSync(path, xml);
    const party = signingCert ? { metadataSigningCert: signingCert } : {};
    const config = validateConfig(
      kind === "idp"
        ? { identityProviders: [{ id: "kommune", displayName: "Kommune", metadata: path, cvrs: [MUNICIPALITY_CVR], ...party }] }
        : { serviceProviders: [{ id: "fagsystem", metadata: path, ...party }] },
    );
    return () => loadTrustRegistry(config);
  }

  describe("validUntil", () => {
    it("refuses IdP and SP metadata past validUntil", () => {
      const past = new Date(Date.now() - DAY).toISOString();
      expect(load("idp", idpXml(`validUntil="${past}"`), null)).toThrow(/metadata_expired/);
      expect(load("sp", spXml(`validUntil="${past}"`), null)).toThrow(/metadata_expired/);
    });

    it("refuses metadata whose role descriptor is past validUntil", () => {
      const past = new Date(Date.now() - DAY).toISOString();
      expect(load("idp", idpXml().replace("<md:IDPSSODescriptor ", `<md:IDPSSODescriptor validUntil="${past}" `), null)).toThrow(/metadata_expired/);
    });

    it("refuses expired metadata even when its signature is valid", () => {
      const past = new Date(Date.now() - DAY).toISOString();
      expect(load("idp", sign(idpXml(`validUntil="${past}"`), "_md1"))).toThrow(/metadata_expired/);
    });

    it("accepts metadata valid until tomorrow (control)", () => {
      const future = new Date(Date.now() + DAY).toISOString();
      expect(load("idp", idpXml(`validUntil="${future}"`), null)().identityProviders()).toHaveLength(1);
    });
  });

  describe("metadataSigningCert", () => {
    it("loads correctly signed IdP and SP metadata", () => {
      expect((load("idp", sign(idpXml(), "_md1"))().identityProviders()[0] as SamlIdentityProvider).metadata.signingCertificates).toEqual([keys.idpSigning.certificatePem]);
      expect(load("sp", sign(spXml(), "_md2"))().serviceProviders()[0]!.metadata.entityId).toBe(SP_ENTITY_ID);
    });

    it("refuses unsigned metadata when a signature is required", () => {
      expect(load("idp", idpXml())).toThrow(/metadata_signature_missing/);
      expect(load("sp", spXml())).toThrow(/metadata_signature_missing/);
    });

    it("refuses an unsigned aggregate when a signature is required", () => {
      const aggregate = `<md:EntitiesDescriptor xmlns:md="${NS.md}" ID="_agg">${idpXml().replace(/^<\?xml[^>]*\?>/, "")}</md:EntitiesDescriptor>`;
      expect(load("idp", aggregate)).toThrow(/metadata_signature_missing/);
    });

    it("refuses metadata signed by another key", async () => {
      expect(load("idp", sign(idpXml(), "_md1", keys.attacker))).toThrow(/signature_invalid/);
    });

    it("refuses metadata whose signing certificate was swapped after signing", () => {
      const signed = sign(idpXml(), "_md1");
      const swapped = signed.replace(keys.idpSigning.certificateBase64, keys.attacker.certificateBase64);
      expect(swapped).not.toBe(signed);
      expect(load("idp", swapped)).toThrow(/signature_invalid/);
    });

    it("refuses metadata with an extra, unsigned KeyDescriptor wrapped around the signed one", () => {
      // The signed EntityDescriptor moved inside an unsigned one that adds the attacker's key.
      const signed = sign(idpXml(), "_md1");
      const wrapped = edit(signed, (doc) => {
        const inner = doc.documentElement;
        const outer = inner.cloneNode(true) as Element;
        outer.setAttribute("ID", "_outer");
        for (let n = outer.firstChild; n; n = n.nextSibling) if (n.nodeType === 1 && (n as Element).localName === "Signature") outer.removeChild(n);
        first(outer, NS.ds, "X509Certificate").textContent = keys.attacker.certificateBase64;
        const extensions = doc.createElementNS(NS.md, "md:Extensions");
        outer.insertBefore(extensions, outer.firstChild);
        doc.replaceChild(outer, inner);
        extensions.appendChild(inner);
      });
      expect(load("idp", wrapped)).toThrow(/metadata_signature_missing/);
    });

    it("refuses a signature whose Reference names another element", () => {
      const signed = sign(idpXml(), "_md1");
      const moved = edit(signed, (doc) => {
        const descriptor = first(doc, NS.md, "IDPSSODescriptor");
        descriptor.setAttribute("ID", "_desc");
        first(doc, NS.ds, "Reference").setAttribute("URI", "#_desc");
      });
      expect(load("idp", moved)).toThrow(/signature_reference/);
    });

    it("refuses metadata signed with SHA-1", () => {
      expect(load("idp", sign(idpXml(), "_md1", federation, SIGNATURE_ALGORITHM.rsaSha1))).toThrow(/algorithm_not_allowed/);
    });

    it("refuses a DOCTYPE in signed metadata", () => {
      expect(load("idp", `<!DOCTYPE x [<!ENTITY e "x">]>${sign(idpXml(), "_md1").replace(/^<\?xml[^>]*\?>/, "")}`)).toThrow(/xml_doctype/);
    });

    it("refuses a signing certificate file that is not a certificate", () => {
      const bogus = join(dir, "bogus.pem");
      writeFileSync(bogus, "not a certificate");
      expect(load("idp", sign(idpXml(), "_md1"), bogus)).toThrow(/metadata_signing_cert_unreadable/);
    });

    it("runs a whole login with signed IdP and SP metadata", async () => {
      const idpPath = join(dir, "idp-login.xml");
      const spPath = join(dir, "sp-login.xml");
      writeFileSync(idpPath, sign(idpXml(), "_md1"));
      writeFileSync(spPath, sign(spXml(), "_md2"));
      const fixture = await createBrokerFixture({
        config: {
          identityProviders: [{ id: "test-kommune", displayName: "Test Kommune", metadata: idpPath, cvrs: [MUNICIPALITY_CVR], metadataSigningCert: federationCert }],
          serviceProviders: [{ id: "test-fagsystem", metadata: spPath, metadataSigningCert: federationCert }],
        },
      });
      await expectAccepted(await tryAtAcs(fixture, (requestId, k) => idpResponse(k, { requestId })));
    });
  });
});
