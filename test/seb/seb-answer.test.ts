/**
 * The SEB profile: the health sector's broker receives the OIOSAML 2 style
 * attributes with the user's CPR number; a login without a CPR is refused
 * with a page and a status naming what was missing; and no other profile
 * (OIOSAML 3 or 2, with or without personal data) ever carries a CPR.
 */
import { describe, expect, it } from "vitest";
import { MUNICIPALITY_CVR } from "../support/broker-fixture.js";
import { defaultAttributes } from "../support/saml-peers.js";
import { NS, STATUS } from "../../src/saml/namespaces.js";
import { LEGACY, OIOSAML3 } from "../../src/profiles/oiosaml3-attributes.js";
import { SEB_ATTRIBUTES } from "../../src/profiles/seb-profile.js";
import { LEVEL_CLASS, USER_SYSTEM_ROLE } from "../support/uris.js";
import { EVERYTHING, login, policyFixture, releasedPrivileges } from "../policy/policy-world.js";

const CPR = "0102031234";
const UUID = "8c1d7e5e-3f0a-4b8e-9c51-0d2a7e4b6f11";

function sebFixture(sp: Record<string, unknown> = {}) {
  return policyFixture({ sp: { attributeProfile: "SEB", requiredLevel: { nsis: "Substantial" }, ...sp } });
}

describe("the SEB attribute profile", () => {
  it("answers SEB in the OIOSAML 2 style: SpecVer, AssuranceLevel, CPR, CVR, RID, organisation, common name, user id, bare UUID, translated privileges", async () => {
    const fixture = await sebFixture();
    const outcome = await login(fixture, {
      attributes: defaultAttributes({ [LEGACY.cpr]: "010203-1234", [OIOSAML3.rid]: "CVR:29189846-RID:1234", [OIOSAML3.privilegesIntermediate]: EVERYTHING }),
    });
    expect(outcome.answer.statusCode).toBe(STATUS.success);
    const a = outcome.attributes;
    expect(a.get(SEB_ATTRIBUTES.specVer)).toEqual(["DK-SAML-2.0"]);
    expect(a.get(SEB_ATTRIBUTES.assuranceLevel)).toEqual(["3"]);
    expect(a.get(SEB_ATTRIBUTES.loa)).toEqual(["Substantial"]);
    expect(a.get(SEB_ATTRIBUTES.cpr)).toEqual([CPR]);
    expect(a.get(SEB_ATTRIBUTES.cvr)).toEqual([MUNICIPALITY_CVR]);
    expect(a.get(SEB_ATTRIBUTES.rid)).toEqual(["CVR:29189846-RID:1234"]);
    expect(a.get(SEB_ATTRIBUTES.organizationName)).toEqual(["Test Kommune"]);
    expect(a.get(SEB_ATTRIBUTES.commonName)).toEqual(["Anna Andersen"]);
    expect(a.get(SEB_ATTRIBUTES.uid)).toEqual([UUID]);
    expect(a.get(SEB_ATTRIBUTES.uuid)).toEqual([UUID]);
    expect(releasedPrivileges(outcome)).toContain(`<Privilege>${USER_SYSTEM_ROLE.caseHandling}</Privilege>`);
    // Nothing of the KOMBIT profile's OIOSAML 3 person attributes, and no e-mail.
    expect(a.has(OIOSAML3.specVersion)).toBe(false);
    expect(a.has(OIOSAML3.email)).toBe(false);
    expect(a.has(OIOSAML3.cprNumber)).toBe(false);
    expect(outcome.assertion!.getElementsByTagNameNS(NS.saml, "AuthnContextClassRef")[0]!.textContent).toBe("https://data.gov.dk/concept/core/nsis/loa/Substantial");
    expect(JSON.stringify(fixture.logs)).not.toContain(CPR);
    expect(fixture.logs.some((l) => l["event"] === "cpr_resolved" && l["source"] === "idp")).toBe(true);
  });

  it("reads the CPR from the OIOSAML 3 name too, and gives a NIST SEB registration the AssuranceLevel class", async () => {
    const fixture = await sebFixture({ requiredLevel: { nist: 3 } });
    const outcome = await login(fixture, { attributes: defaultAttributes({ [OIOSAML3.cprNumber]: CPR }) });
    expect(outcome.answer.statusCode).toBe(STATUS.success);
    expect(outcome.attributes.get(SEB_ATTRIBUTES.cpr)).toEqual([CPR]);
    expect(outcome.assertion!.getElementsByTagNameNS(NS.saml, "AuthnContextClassRef")[0]!.textContent).toBe("urn:dk:gov:saml:attribute:AssuranceLevel:3");
  });

  it("refuses a login to SEB without a CPR: RequestDenied naming the CPR attribute, a clear page with the correlation id, no assertion", async () => {
    const fixture = await sebFixture();
    const outcome = await login(fixture);
    expect(outcome.answer.statusCode).toBe(STATUS.responder);
    expect(outcome.answer.subStatusCode).toBe(STATUS.requestDenied);
    expect(outcome.answer.statusMessage).toContain("CPR number (dk:gov:saml:attribute:CprNumberIdentifier)");
    expect(outcome.answer.xml).not.toContain("Assertion");
    expect(outcome.page).toContain("The system requires your CPR number");
    expect(outcome.page).toContain(outcome.correlationId);
    expect(fixture.logs.some((l) => l["reason"] === "cpr_missing")).toBe(true);
  });

  it("honours a higher level SEB asks for in its AuthnRequest (raised above its registration, never lowered)", async () => {
    const fixture = await sebFixture();
    const high = { requestedClassRefs: [LEVEL_CLASS.nsis("High")] };
    const short = await login(fixture, { attributes: defaultAttributes({ [LEGACY.cpr]: CPR }) }, high);
    expect(short.answer.statusCode).toBe(STATUS.responder);
    expect(short.answer.subStatusCode).toBe(STATUS.noAuthnContext);
    const met = await login(fixture, { attributes: defaultAttributes({ [LEGACY.cpr]: CPR, [OIOSAML3.loa]: "High" }), classRef: LEVEL_CLASS.nsis("High") }, high);
    expect(met.answer.statusCode).toBe(STATUS.success);
    expect(met.attributes.get(SEB_ATTRIBUTES.loa)).toEqual(["High"]);
    expect(met.attributes.get(SEB_ATTRIBUTES.assuranceLevel)).toEqual(["4"]);
    // Asking for less than the registration does not lower it.
    const low = await login(fixture, { attributes: defaultAttributes({ [LEGACY.cpr]: CPR, [OIOSAML3.loa]: "Low" }), classRef: LEVEL_CLASS.nsis("Low") }, { requestedClassRefs: [LEVEL_CLASS.nsis("Low")] });
    expect(low.answer.subStatusCode).toBe(STATUS.noAuthnContext);
  });

  it("refuses a CPR that is not ten digits rather than passing it on", async () => {
    const fixture = await sebFixture();
    const outcome = await login(fixture, { attributes: defaultAttributes({ [LEGACY.cpr]: "01020312" }) });
    expect(outcome.answer.statusCode).toBe(STATUS.responder);
    expect(outcome.answer.statusMessage).toContain("not ten digits");
    expect(fixture.logs.some((l) => l["reason"] === "cpr_invalid")).toBe(true);
  });
});

describe("the CPR rule over every other SAML profile", () => {
  const profiles = [
    { attributeProfile: "KOMBIT", oiosamlProfile: "OIOSAML3" },
    { attributeProfile: "KOMBIT", oiosamlProfile: "OIOSAML2", requiredLevel: { nist: 3 } },
    { attributeProfile: "KOMBIT_WITHOUT_PERSONAL_DATA", oiosamlProfile: "OIOSAML3" },
    { attributeProfile: "KOMBIT_WITHOUT_PERSONAL_DATA", oiosamlProfile: "OIOSAML2", requiredLevel: { nist: 3 } },
  ];
  for (const sp of profiles) {
    it(`${sp.attributeProfile} / ${sp.oiosamlProfile}: the IdP's CPR (both names) is never released nor logged`, async () => {
      const fixture = await policyFixture({ sp });
      const outcome = await login(fixture, { attributes: defaultAttributes({ [LEGACY.cpr]: CPR, [OIOSAML3.cprNumber]: CPR }) });
      expect(outcome.answer.statusCode).toBe(STATUS.success);
      expect(outcome.attributes.has(LEGACY.cpr)).toBe(false);
      expect(outcome.attributes.has(OIOSAML3.cprNumber)).toBe(false);
      expect(outcome.assertion!.toString()).not.toContain(CPR);
      expect(JSON.stringify(fixture.logs)).not.toContain(CPR);
    });
  }
});
