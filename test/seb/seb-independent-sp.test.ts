/**
 * SEB as an independent SAML SP reads the broker's answer: @node-saml/node-saml
 * plays SEB (registered with attributeProfile SEB), samlify the municipal IdP
 * (it sends the CPR under the OIOSAML 3 name). node-saml validates, decrypts
 * and verifies the answer and reads the OIOSAML 2 style attributes as SEB
 * consumes them; the same login to a KOMBIT fagsystem carries no CPR.
 */
import { describe, expect, it } from "vitest";
import { MUNICIPALITY_CVR } from "../support/broker-fixture.js";
import { NODE_SAML_SP_POLICY } from "../independent-peers/node-saml-fagsystem.js";
import { loginThroughPeers, peerWorld } from "../independent-peers/peer-login.js";
import { PERSON_UUID, STATUS_SUCCESS } from "../independent-peers/standard-uris.js";

// Written out as SEB reads them (OIOSAML 2 / DK-SAML-2.0), not imported from the broker.
const SEB = {
  specVer: "dk:gov:saml:attribute:SpecVer",
  assuranceLevel: "dk:gov:saml:attribute:AssuranceLevel",
  cpr: "dk:gov:saml:attribute:CprNumberIdentifier",
  cvr: "dk:gov:saml:attribute:CvrNumberIdentifier",
  organisation: "urn:oid:2.5.4.10",
  commonName: "urn:oid:2.5.4.3",
  uid: "urn:oid:0.9.2342.19200300.100.1.1",
  uuid: "https://data.gov.dk/model/core/eid/professional/uuid/persistent",
  privileges: "dk:gov:saml:attribute:Privileges_intermediate",
};
const CPR = "1203851234";

describe("SEB (node-saml) consuming the broker's SEB answer", () => {
  it("reads SpecVer DK-SAML-2.0, AssuranceLevel, CPR, CVR, organisation, common name, user id, bare UUID and privileges", async () => {
    const world = await peerWorld({ sp: { ...NODE_SAML_SP_POLICY, attributeProfile: "SEB", requiredLevel: { nsis: "Substantial" } }, config: { organisations: [{ cvr: MUNICIPALITY_CVR, name: "Test Kommune" }] } });
    const login = await loginThroughPeers(world.fixture, world.brokerIdp, world.brokerSp, world.fixture.keys.idpSigning, "seb-relay", { cpr: CPR });
    expect(login.reasons).toEqual([]);
    expect(login.answer.statusCode).toBe(STATUS_SUCCESS);
    const { profile } = await login.fagsystem.validatePostResponseAsync(login.posted);
    if (!profile) throw new Error("node-saml produced no profile");
    expect(profile[SEB.specVer]).toBe("DK-SAML-2.0");
    expect(profile[SEB.assuranceLevel]).toBe("3");
    expect(profile[SEB.cpr]).toBe(CPR);
    expect(profile[SEB.cvr]).toBe(MUNICIPALITY_CVR);
    expect(profile[SEB.organisation]).toBe("Test Kommune");
    expect(profile[SEB.commonName]).toBe("Karen Jensen");
    expect(profile[SEB.uid]).toBe(PERSON_UUID);
    expect(profile[SEB.uuid]).toBe(PERSON_UUID);
    expect(typeof profile[SEB.privileges]).toBe("string");
    expect(JSON.stringify(world.fixture.logs)).not.toContain(CPR);
  });

  it("a KOMBIT fagsystem, same IdP answer with the CPR: node-saml's profile carries no CPR", async () => {
    const world = await peerWorld({ sp: NODE_SAML_SP_POLICY });
    const login = await loginThroughPeers(world.fixture, world.brokerIdp, world.brokerSp, world.fixture.keys.idpSigning, "kombit-relay", { cpr: CPR });
    expect(login.answer.statusCode).toBe(STATUS_SUCCESS);
    const { profile } = await login.fagsystem.validatePostResponseAsync(login.posted);
    expect(JSON.stringify(profile)).not.toContain(CPR);
    expect(profile?.getAssertionXml?.()).not.toContain(CPR);
  });
});
