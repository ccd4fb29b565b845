/** The attribute sets the broker emits per fagsystem profile (KOMBIT, without personal data, OIOSAML 2), and NameID formats. */
import { describe, expect, it } from "vitest";
import { IDP_ENTITY_ID, MUNICIPALITY_CVR } from "../support/broker-fixture.js";
import { defaultAttributes } from "../support/saml-peers.js";
import { JOB_ROLE, USER_SYSTEM_ROLE } from "../support/uris.js";
import { NAMEID_FORMAT, NS, STATUS } from "../../src/saml/namespaces.js";
import { LEGACY, OIOSAML3 } from "../../src/profiles/oiosaml3-attributes.js";
import { OIOSAML2 } from "../../src/profiles/oiosaml2-attributes.js";
import type { OutgoingAttribute } from "../../src/saml/response-builder.js";
import { EVERYTHING, jobRoles, login, policyFixture, releasedPrivileges } from "./policy-world.js";

describe("output profiles", () => {
  it("KOMBIT: specVersion, KombitSpecVer 2.0, loa, CVR, orgName from the register, e-mail, privileges; the upstream IdP as AuthenticatingAuthority", async () => {
    const fixture = await policyFixture();
    const outcome = await login(fixture, { attributes: defaultAttributes({ [OIOSAML3.orgName]: "IdP's own name" }) });
    const a = outcome.attributes;
    expect(a.get(OIOSAML3.specVersion)).toEqual(["OIO-SAML-3.0"]);
    expect(a.get("dk:gov:saml:attribute:KombitSpecVer")).toEqual(["2.0"]);
    expect(a.get(OIOSAML3.loa)).toEqual(["Substantial"]);
    expect(a.get(OIOSAML3.cvr)).toEqual([MUNICIPALITY_CVR]);
    expect(a.get(OIOSAML3.orgName)).toEqual(["Test Kommune"]);
    expect(a.get(OIOSAML3.email)).toEqual(["anna@kommune.test"]);
    expect(a.has(OIOSAML3.privilegesIntermediate)).toBe(true);
    expect(Array.from(outcome.assertion!.getElementsByTagNameNS(NS.saml, "AuthenticatingAuthority")).map((e) => e.textContent)).toEqual([IDP_ENTITY_ID]);
  });

  it("KOMBIT_WITHOUT_PERSONAL_DATA: no e-mail or names", async () => {
    const fixture = await policyFixture({ sp: { attributeProfile: "KOMBIT_WITHOUT_PERSONAL_DATA" } });
    const outcome = await login(fixture);
    expect(outcome.answer.statusCode).toBe(STATUS.success);
    for (const personal of [OIOSAML3.email, OIOSAML3.fullName, OIOSAML3.firstName, OIOSAML3.lastName, OIOSAML3.cprNumber]) expect(outcome.attributes.has(personal)).toBe(false);
    expect(outcome.attributes.get(OIOSAML3.cvr)).toEqual([MUNICIPALITY_CVR]);
    expect(outcome.attributes.has(OIOSAML3.privilegesIntermediate)).toBe(true);
  });

  it("OIOSAML 2 fagsystem: the legacy names, AssuranceLevel, and the AssuranceLevel class", async () => {
    const fixture = await policyFixture({ sp: { oiosamlProfile: "OIOSAML2", requiredLevel: { nist: 3 } } });
    const outcome = await login(fixture, { attributes: defaultAttributes({ [OIOSAML3.privilegesIntermediate]: EVERYTHING }) });
    const a = outcome.attributes;
    expect(a.get(OIOSAML2.specVer)).toEqual(["DK-SAML-2.0"]);
    expect(a.get(OIOSAML2.kombitSpecVer)).toEqual(["2.0"]);
    expect(a.get(OIOSAML2.assuranceLevel)).toEqual(["3"]);
    expect(a.get(OIOSAML2.cvr)).toEqual([MUNICIPALITY_CVR]);
    expect(a.get(OIOSAML2.organizationName)).toEqual(["Test Kommune"]);
    expect(a.get(OIOSAML2.mail)).toEqual(["anna@kommune.test"]);
    expect(a.get(OIOSAML2.commonName)).toEqual(["Anna Andersen"]);
    expect(releasedPrivileges(outcome)).toContain(`<Privilege>${USER_SYSTEM_ROLE.caseHandling}</Privilege>`);
    expect([...a.keys()].filter((name) => name.startsWith("https://data.gov.dk/"))).toEqual([]);
    expect(outcome.assertion!.getElementsByTagNameNS(NS.saml, "AuthnContextClassRef")[0]!.textContent).toBe("urn:dk:gov:saml:attribute:AssuranceLevel:3");
  });

  it("passes the IdP's X509SubjectName NameID through unchanged when the fagsystem's metadata asks for it", async () => {
    const fixture = await policyFixture({ spMetadata: { nameIdFormats: [NAMEID_FORMAT.x509SubjectName, NAMEID_FORMAT.persistent] } });
    const nameId = `C=DK,O=${MUNICIPALITY_CVR},CN=Anna Andersen,Serial=5a1d2c3b-0000-4000-8000-000000000001`;
    const outcome = await login(fixture, { nameId });
    const element = outcome.assertion!.getElementsByTagNameNS(NS.saml, "NameID")[0]!;
    expect(element.textContent).toBe(nameId);
    expect(element.getAttribute("Format")).toBe(NAMEID_FORMAT.x509SubjectName);
  });

  it("accepts an OIOSAML 2 assertion from an older IdP into the same identity", async () => {
    const fixture = await policyFixture({ idp: { oiosamlProfile: "OIOSAML2" }, sp: { requiredLevel: { nist: 3 } } });
    const attributes: OutgoingAttribute[] = [
      { name: OIOSAML2.specVer, values: ["DK-SAML-2.0"] },
      { name: OIOSAML2.assuranceLevel, values: ["3"] },
      { name: OIOSAML2.cvr, values: [MUNICIPALITY_CVR] },
      { name: OIOSAML2.mail, values: ["bo@kommune.test"] },
      { name: OIOSAML2.commonName, values: ["Bo Berg"] },
      { name: OIOSAML2.privilegesIntermediate, values: [jobRoles([{ role: JOB_ROLE.manager }])] },
    ];
    const outcome = await login(fixture, { attributes, classRef: "urn:dk:gov:saml:attribute:AssuranceLevel:3" });
    expect(outcome.answer.statusCode).toBe(STATUS.success);
    expect(outcome.attributes.get(OIOSAML3.email)).toEqual(["bo@kommune.test"]);
    expect(outcome.attributes.get(OIOSAML3.fullName)).toEqual(["Bo Berg"]);
    expect(outcome.attributes.get(LEGACY.assuranceLevel)).toEqual(["3"]);
    expect(releasedPrivileges(outcome)).toContain(`<Privilege>${USER_SYSTEM_ROLE.approval}</Privilege>`);
  });
});
