/**
 * A step-up user reaching SEB: the municipal IdP proves NIST 3 and sends no
 * CPR; SEB requires NSIS Substantial; NemLog-in (MitID Erhverv) answers for
 * the same person with the CPR. SEB gets NemLog-in's level and its CPR; a
 * NemLog-in answer without one leaves the login refused for want of a CPR.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { fixtureKeys, MUNICIPALITY_CVR, type FixtureKeys } from "../support/broker-fixture.js";
import { idpResponse, openBrokerAssertion, postToAcs, readSpAnswer } from "../support/saml-peers.js";
import { testKey } from "../support/keys.js";
import { LEVEL_CLASS } from "../support/uris.js";
import type { KeyMaterial } from "../../src/keys/key-material.js";
import { NS, STATUS } from "../../src/saml/namespaces.js";
import { SEB_ATTRIBUTES } from "../../src/profiles/seb-profile.js";
import { ANNA_UUID, attribute, municipalLogin, nemLogInAnswer, nemLogInRequestId, stepUpFixture, stepUpSetup, type StepUpSetup } from "../step-up/step-up-world.js";

const CPR = "3112801234";

function sebSetup(keys: FixtureKeys, nemlogin: KeyMaterial): StepUpSetup {
  const setup = stepUpSetup(keys, nemlogin);
  const [first, ...rest] = setup.config["serviceProviders"] as Array<Record<string, unknown>>;
  return { ...setup, config: { ...setup.config, serviceProviders: [{ ...first, attributeProfile: "SEB" }, ...rest] } };
}

describe("a step-up user reaching SEB", () => {
  let keys: FixtureKeys;
  let nemlogin: KeyMaterial;
  beforeAll(async () => {
    keys = await fixtureKeys();
    nemlogin = await testKey("nemlogin-signing");
  });

  it("goes through NemLog-in for SEB's NSIS Substantial; SEB gets the stepped-up level and NemLog-in's CPR", async () => {
    const fixture = await stepUpFixture(sebSetup(keys, nemlogin));
    const { agent, toNemLogIn } = await municipalLogin(fixture);
    expect(toNemLogIn.status).toBe(303);
    const done = await postToAcs(agent, await idpResponse(keys, nemLogInAnswer(nemlogin, nemLogInRequestId(toNemLogIn), { cpr: CPR })));
    const answer = readSpAnswer(done.text);
    expect(answer.statusCode).toBe(STATUS.success);
    const assertion = await openBrokerAssertion(answer, keys);
    expect(attribute(assertion, SEB_ATTRIBUTES.cpr)).toEqual([CPR]);
    expect(attribute(assertion, SEB_ATTRIBUTES.loa)).toEqual(["Substantial"]);
    expect(attribute(assertion, SEB_ATTRIBUTES.assuranceLevel)).toEqual(["3"]);
    expect(attribute(assertion, SEB_ATTRIBUTES.cvr)).toEqual([MUNICIPALITY_CVR]);
    expect(attribute(assertion, SEB_ATTRIBUTES.uuid)).toEqual([ANNA_UUID]);
    expect(assertion.getElementsByTagNameNS(NS.saml, "AuthnContextClassRef")[0]!.textContent).toBe(LEVEL_CLASS.nsis("Substantial"));
    expect(fixture.logs.some((l) => l["event"] === "cpr_resolved" && l["source"] === "step-up")).toBe(true);
    expect(JSON.stringify(fixture.logs)).not.toContain(CPR);
  });

  it("refuses SEB when neither the municipal IdP nor NemLog-in sent a CPR", async () => {
    const fixture = await stepUpFixture(sebSetup(keys, nemlogin));
    const { agent, toNemLogIn } = await municipalLogin(fixture);
    const done = await postToAcs(agent, await idpResponse(keys, nemLogInAnswer(nemlogin, nemLogInRequestId(toNemLogIn))));
    const answer = readSpAnswer(done.text);
    expect(answer.statusCode).toBe(STATUS.responder);
    expect(answer.subStatusCode).toBe(STATUS.requestDenied);
    expect(answer.statusMessage).toContain("CprNumberIdentifier");
    expect(done.text).toContain("The system requires your CPR number");
  });

  it("refuses when the municipal IdP and NemLog-in name different CPR numbers", async () => {
    const fixture = await stepUpFixture(sebSetup(keys, nemlogin));
    const { agent, toNemLogIn } = await municipalLogin(fixture, { "dk:gov:saml:attribute:CprNumberIdentifier": "0101011111" });
    const done = await postToAcs(agent, await idpResponse(keys, nemLogInAnswer(nemlogin, nemLogInRequestId(toNemLogIn), { cpr: CPR })));
    expect(readSpAnswer(done.text).statusCode).toBe(STATUS.responder);
    expect(fixture.logs.some((l) => l["reason"] === "cpr_conflict")).toBe(true);
  });
});
