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
 * This file: the IdP signs with a key that is not in its metadata, and the fagsystem gets a SAML error.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { SamlStatusError } from "@node-saml/node-saml";
import { SP_ACS_URL, type BrokerFixture } from "../support/broker-fixture.js";
import { NODE_SAML_SP_POLICY } from "./node-saml-fagsystem.js";
import { loginThroughPeers, peerWorld } from "./peer-login.js";
import type { PublishedParty } from "./published-metadata.js";
import { STATUS_AUTHN_FAILED, STATUS_RESPONDER } from "./standard-uris.js";

describe("end to end with independent SAML peers: a forged IdP signature", () => {
  let fixture: BrokerFixture;
  let brokerIdp: PublishedParty;
  let brokerSp: PublishedParty;
  beforeAll(async () => {
    ({ fixture, brokerIdp, brokerSp } = await peerWorld({ sp: NODE_SAML_SP_POLICY }));
  });

  it("answers the fagsystem with a Responder error when samlify signs with a key that is not in the IdP's metadata", async () => {
    const login = await loginThroughPeers(fixture, brokerIdp, brokerSp, fixture.keys.attacker, "rs-attack");
    // samlify did sign (with the attacker's key, which it also puts in KeyInfo).
    expect(login.idpResponseXml).toContain("<ds:SignatureValue>");
    expect(login.idpResponseXml).toContain(fixture.keys.attacker.certificateBase64.slice(0, 64));

    expect(login.reasons).toContain("signature_invalid");
    expect(login.answer.url).toBe(SP_ACS_URL);
    expect(login.answer.relayState).toBe("rs-attack");
    expect(login.answer.statusCode).toBe(STATUS_RESPONDER);
    expect(login.answer.subStatusCode).toBe(STATUS_AUTHN_FAILED);
    expect(login.answer.xml).not.toContain("Assertion");

    const outcome = login.fagsystem.validatePostResponseAsync(login.posted);
    await expect(outcome).rejects.toBeInstanceOf(SamlStatusError);
    await expect(outcome).rejects.toThrow(/Responder/);
  });
});
