/**
 * The whole hop fagsystem → broker → municipal IdP → broker → fagsystem, with
 * both outer parties played by SAML implementations that share no code with
 * the broker:
 *
 * - the fagsystem is @node-saml/node-saml (it builds the signed HTTP-Redirect
 *   AuthnRequest and validates, decrypts and verifies the broker's Response);
 * - the municipal IdP is samlify (it verifies and parses the broker's
 *   AuthnRequest and issues a signed Response with a signed, encrypted
 *   OIOSAML 3 assertion).
 *
 * Each peer learns about the broker from the broker's published metadata,
 * read over HTTP and parsed by the peer side, not by broker code.
 *
 * This file: a login that succeeds, with each content encryption the fagsystem may choose.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { BROKER_BASE, BROKER_ENTITY_ID, SP_ACS_URL, SP_ENTITY_ID, type BrokerFixture } from "../support/broker-fixture.js";
import { expectOiosaml3Profile, fagsystem, NODE_SAML_SP_POLICY, RecordingCache } from "./node-saml-fagsystem.js";
import { childText, loginThroughPeers, peerWorld } from "./peer-login.js";
import type { PublishedParty } from "./published-metadata.js";
import { AES256_CBC, ATTR, FAGSYSTEM_RELAY_STATE, LOA_SUBSTANTIAL_CLASS, RSA_OAEP_MGF1P, RSA_SHA256, SAML_NS, SAMLP_NS, STATUS_SUCCESS } from "./standard-uris.js";

describe("end to end with independent SAML peers (node-saml as fagsystem, samlify as municipal IdP)", () => {
  let fixture: BrokerFixture;
  let brokerIdp: PublishedParty;
  let brokerSp: PublishedParty;
  beforeAll(async () => {
    ({ fixture, brokerIdp, brokerSp } = await peerWorld({ sp: NODE_SAML_SP_POLICY, idp: { sendScoping: true } }));
  });

  it("logs in: node-saml's request goes through samlify's IdP and node-saml accepts the broker's assertion", async () => {
    expect(brokerIdp.entityId).toBe(BROKER_ENTITY_ID);
    expect(brokerIdp.signingCertBase64).toBe(fixture.keys.brokerSigning.certificateBase64);
    expect(brokerSp.entityId).toBe(BROKER_ENTITY_ID);

    const login = await loginThroughPeers(fixture, brokerIdp, brokerSp, fixture.keys.idpSigning, FAGSYSTEM_RELAY_STATE);

    // What samlify saw of the broker's upstream request.
    expect(login.parsed.sigAlg).toBe(RSA_SHA256);
    expect(login.parsed.extract.issuer).toBe(BROKER_ENTITY_ID);
    expect(login.parsed.extract.request?.["assertionConsumerServiceUrl"]).toBe(`${BROKER_BASE}/saml/acs`);
    expect(login.parsed.extract.request?.["id"]).not.toBe(login.fagsystemRequestId);
    // The fagsystem asked for NSIS Substantial; the broker passes that on, and names the fagsystem.
    expect(childText(login.parsed.samlContent, SAML_NS, "AuthnContextClassRef")).toEqual([LOA_SUBSTANTIAL_CLASS]);
    expect(childText(login.parsed.samlContent, SAMLP_NS, "RequesterID")).toEqual([SP_ENTITY_ID]);

    // What samlify sent: a signed Response around an encrypted assertion.
    expect(login.idpResponseXml).toContain("EncryptedAssertion");
    expect(login.idpResponseXml).toContain(AES256_CBC);
    expect(login.idpResponseXml).toContain(RSA_OAEP_MGF1P);
    expect(login.idpResponseXml).not.toContain(ATTR.cvr);

    // What the broker sent the fagsystem.
    expect(login.reasons).toEqual([]);
    expect(login.answer.url).toBe(SP_ACS_URL);
    expect(login.answer.relayState).toBe(FAGSYSTEM_RELAY_STATE);
    expect(login.answer.statusCode).toBe(STATUS_SUCCESS);
    expect(login.answer.xml).toContain("http://www.w3.org/2009/xmlenc11#aes256-gcm");
    expect(login.answer.xml).toContain(RSA_OAEP_MGF1P);
    expect(login.answer.xml).not.toContain(ATTR.cvr);

    // The fagsystem validates it with its own library.
    const { profile, loggedOut } = await login.fagsystem.validatePostResponseAsync(login.posted);
    expect(loggedOut).toBe(false);
    expectOiosaml3Profile(profile);
    expect(profile?.getAssertionXml?.()).toContain(`InResponseTo="${login.fagsystemRequestId}"`);

    // InResponseTo: node-saml consumed its pending request ID, so the same
    // Response is refused when posted again...
    expect(login.cache.entries.size).toBe(0);
    await expect(login.fagsystem.validatePostResponseAsync(login.posted)).rejects.toThrow(/InResponseTo is not valid/);
    // ...and a fagsystem instance that never sent the request does not accept it either.
    const stranger = fagsystem(fixture, brokerIdp, new RecordingCache());
    await expect(stranger.validatePostResponseAsync(login.posted)).rejects.toThrow(/InResponseTo is not valid/);
  });

  it("also serves a fagsystem configured for AES-256-CBC content encryption", async () => {
    const cbc = await peerWorld({ sp: { ...NODE_SAML_SP_POLICY, encryption: { keyTransport: "rsa-oaep-mgf1p", content: "aes256-cbc" } } });
    const login = await loginThroughPeers(cbc.fixture, cbc.brokerIdp, cbc.brokerSp, cbc.fixture.keys.idpSigning, "rs-cbc");
    expect(login.reasons).toEqual([]);
    expect(login.answer.statusCode).toBe(STATUS_SUCCESS);
    expect(login.answer.xml).toContain(AES256_CBC);
    const { profile } = await login.fagsystem.validatePostResponseAsync(login.posted);
    expectOiosaml3Profile(profile);
  });
});
