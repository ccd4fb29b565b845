/** The fagsystem: @node-saml/node-saml, configured from the broker's published IdP metadata. */
import { expect } from "vitest";
import { SAML, ValidateInResponseTo, type CacheItem, type CacheProvider, type Profile } from "@node-saml/node-saml";
import { BROKER_ENTITY_ID, MUNICIPALITY_CVR, SP_ACS_URL, SP_ENTITY_ID, type BrokerFixture } from "../support/broker-fixture.js";
import type { PublishedParty } from "./published-metadata.js";
import { ATTR, LOA_SUBSTANTIAL_CLASS, NAMEID_PERSISTENT, PERSON_UUID, TRANSLATED_PRIVILEGES } from "./standard-uris.js";

/** node-saml's cache contract, kept in a Map so the test can look inside it. */
export class RecordingCache implements CacheProvider {
  readonly entries = new Map<string, CacheItem>();
  saveAsync(key: string, value: string): Promise<CacheItem | null> {
    if (this.entries.has(key)) return Promise.resolve(null);
    const item = { value, createdAt: Date.now() };
    this.entries.set(key, item);
    return Promise.resolve(item);
  }
  getAsync(key: string): Promise<string | null> {
    return Promise.resolve(this.entries.get(key)?.value ?? null);
  }
  removeAsync(key: string | null): Promise<string | null> {
    if (key === null) return Promise.resolve(null);
    const item = this.entries.get(key);
    this.entries.delete(key);
    return Promise.resolve(item ? key : null);
  }
}

export function fagsystem(fixture: BrokerFixture, brokerIdp: PublishedParty, cache: RecordingCache): SAML {
  if (!brokerIdp.ssoRedirectUrl) throw new Error("the broker publishes no HTTP-Redirect SSO endpoint");
  return new SAML({
    entryPoint: brokerIdp.ssoRedirectUrl,
    idpIssuer: brokerIdp.entityId,
    idpCert: brokerIdp.signingCertBase64,
    issuer: SP_ENTITY_ID,
    callbackUrl: SP_ACS_URL,
    audience: SP_ENTITY_ID,
    privateKey: fixture.keys.spSigning.privateKeyPem,
    signatureAlgorithm: "sha256",
    digestAlgorithm: "sha256",
    decryptionPvk: fixture.keys.spEncryption.privateKeyPem,
    identifierFormat: NAMEID_PERSISTENT,
    authnContext: [LOA_SUBSTANTIAL_CLASS],
    racComparison: "minimum",
    wantAssertionsSigned: true,
    // node-saml 5 insists on a signed Response element by default; the broker
    // only signs it for fagsystemer configured with signResponse: true.
    wantAuthnResponseSigned: true,
    validateInResponseTo: ValidateInResponseTo.always,
    cacheProvider: cache,
    acceptedClockSkewMs: 5_000,
  });
}

export function expectOiosaml3Profile(profile: Profile | null): void {
  if (!profile) throw new Error("node-saml produced no profile");
  expect(profile.issuer).toBe(BROKER_ENTITY_ID);
  expect(profile.nameIDFormat).toBe(NAMEID_PERSISTENT);
  expect(profile.nameID).toBe(`https://data.gov.dk/model/core/eid/professional/uuid/${PERSON_UUID}`);
  expect(profile[ATTR.specVersion]).toBe("OIO-SAML-3.0");
  expect(profile[ATTR.loa]).toBe("Substantial");
  expect(profile[ATTR.cvr]).toBe(MUNICIPALITY_CVR);
  expect(profile[ATTR.orgName]).toBe("Test Kommune");
  expect(profile[ATTR.uuid]).toBe(PERSON_UUID);
  expect(profile[ATTR.email]).toBe("karen.jensen@kommune.test");
  expect(profile[ATTR.fullName]).toBe("Karen Jensen");
  expect(profile[ATTR.privileges]).toBe(TRANSLATED_PRIVILEGES);
}

/** The broker's settings for this fagsystem, as node-saml 5 needs them. */
export const NODE_SAML_SP_POLICY = {
  // node-saml 5 (xml-encryption 3) cannot unwrap xmlenc11 rsa-oaep with
  // SHA-256, so this fagsystem gets rsa-oaep-mgf1p key transport. It can
  // do AES-GCM content encryption.
  encryption: { keyTransport: "rsa-oaep-mgf1p", content: "aes256-gcm" },
  // node-saml 5 requires the Response element itself to be signed
  // (wantAuthnResponseSigned defaults to true); OIOSAML 3 only asks for
  // a signed assertion, so the broker signs the Response only on request.
  signResponse: true,
} as const;
