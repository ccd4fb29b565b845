/**
 * The policy core through the whole hop (signed, encrypted SAML both ways):
 * privileges translated for the fagsystem, federation, levels toward the IdP
 * and back, robots, output profiles, and the per-login explanation.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { createBrokerFixture, IDP_ENTITY_ID, logReasons, MUNICIPALITY_CVR, type BrokerFixture, type FixtureOptions } from "./support/broker-fixture.js";
import { defaultAttributes, idpResponse, openBrokerAssertion, postToAcs, readSpAnswer, startLogin, type SpRequestOptions } from "./support/saml-peers.js";
import { NAMEID_FORMAT, NS, STATUS } from "../src/saml/namespaces.js";
import { LEGACY, OIOSAML3 } from "../src/profiles/oiosaml3-attributes.js";
import { OIOSAML2 } from "../src/profiles/oiosaml2-attributes.js";
import { BPP_NAMESPACES, cvrScope, type PrivilegeGroup } from "../src/profiles/bpp.js";
import { decodePrivilegesAttribute, encodePrivilegesAttribute } from "../src/profiles/bpp-codec.js";
import { findExplanations, formatExplanation } from "../src/cli/explain-privileges.js";
import { findLogins, formatLogin } from "../src/cli/explain-login.js";
import type { OutgoingAttribute } from "../src/saml/response-builder.js";

const NEIGHBOUR = "11223344";
const STRANGER = "55667788";
const ROLE = {
  caseworker: "http://kommune.test/roles/jobrole/sagsbehandler/1",
  manager: "http://kommune.test/roles/jobrole/leder/1",
  canteen: "http://kommune.test/roles/jobrole/kantine/1",
  substitute: "http://nabo.test/roles/jobrole/vikar/1",
  strangers: "http://fremmed.test/roles/jobrole/sagsbehandler/1",
  robot: "http://kommune.test/roles/jobrole/robot/1",
};
const USR = {
  cases: "http://fagsystem.test/roles/usersystemrole/sagsbehandling/1",
  approve: "http://fagsystem.test/roles/usersystemrole/godkendelse/1",
  read: "http://fagsystem.test/roles/usersystemrole/laesning/1",
  batch: "http://fagsystem.test/roles/usersystemrole/batch/1",
};
const KLE = "http://sts.kombit.dk/constraints/KLE/1";
const ORG = "http://sts.kombit.dk/constraints/orgenhed/1";

const ROLE_MAPPINGS = [
  { jobFunctionRole: ROLE.caseworker, userSystemRole: USR.cases, restrictions: [{ type: KLE, parametric: `${KLE}/parametric` }] },
  { jobFunctionRole: ROLE.manager, userSystemRole: USR.approve, restrictions: [{ type: ORG, values: ["org-1", "org-2"] }] },
  { jobFunctionRole: ROLE.substitute, userSystemRole: USR.read },
  { jobFunctionRole: ROLE.strangers, userSystemRole: USR.read },
  { jobFunctionRole: ROLE.robot, userSystemRole: USR.batch },
];

/** A fixture whose fagsystem has role mappings and whose municipality has a neighbour that delegates a role. */
function policyFixture(options: FixtureOptions = {}): Promise<BrokerFixture> {
  return createBrokerFixture({
    ...options,
    sp: { roleMappings: ROLE_MAPPINGS, ...options.sp },
    idp: { robot: { nameIdPattern: "^C=DK,O=\\d{8},CN=RPA " }, ...options.idp },
    config: {
      organisations: [
        { cvr: MUNICIPALITY_CVR, name: "Test Kommune" },
        { cvr: NEIGHBOUR, name: "Nabo Kommune" },
      ],
      jobFunctionRoles: [{ id: ROLE.substitute, owner: NEIGHBOUR, delegatedTo: [MUNICIPALITY_CVR] }],
      ...options.config,
    },
  });
}

function jobRoles(groups: Array<{ role: string; scope?: string; constraints?: PrivilegeGroup["constraints"] }>): string {
  return encodePrivilegesAttribute({
    namespace: BPP_NAMESPACES.itst,
    groups: groups.map((g) => ({ scope: cvrScope(g.scope ?? MUNICIPALITY_CVR), privileges: [g.role], constraints: g.constraints ?? [] })),
  });
}

const EVERYTHING = jobRoles([
  { role: ROLE.caseworker, constraints: [{ name: `${KLE}/parametric`, values: ["27.*", "29.03.*"] }] },
  { role: ROLE.manager },
  { role: ROLE.canteen },
  { role: ROLE.substitute, scope: NEIGHBOUR },
  { role: ROLE.strangers, scope: STRANGER },
]);

function attributeValues(assertion: Element): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const attribute of Array.from(assertion.getElementsByTagNameNS(NS.saml, "Attribute"))) {
    out.set(attribute.getAttribute("Name")!, Array.from(attribute.getElementsByTagNameNS(NS.saml, "AttributeValue")).map((v) => v.textContent ?? ""));
  }
  return out;
}

interface LoginOutcome {
  page: string;
  answer: ReturnType<typeof readSpAnswer>;
  upstreamXml: string;
  correlationId: string;
  assertion: Element | undefined;
  attributes: Map<string, string[]>;
}

/** A whole login: the fagsystem asks, the IdP answers with these attributes, the fagsystem opens the result. */
async function login(
  fixture: BrokerFixture,
  idp: { attributes?: OutgoingAttribute[]; classRef?: string; nameId?: string } = {},
  request: SpRequestOptions = {},
): Promise<LoginOutcome> {
  const started = await startLogin(fixture, request);
  const response = await postToAcs(
    started.agent,
    await idpResponse(fixture.keys, { requestId: started.upstreamRequestId, attributes: idp.attributes, authnContextClassRef: idp.classRef, nameId: idp.nameId }),
  );
  expect(response.status).toBe(200);
  const answer = readSpAnswer(response.text);
  const assertion = answer.statusCode === STATUS.success ? await openBrokerAssertion(answer, fixture.keys) : undefined;
  return {
    page: response.text,
    answer,
    upstreamXml: started.upstreamXml,
    correlationId: String(response.headers["x-correlation-id"]),
    assertion,
    attributes: assertion ? attributeValues(assertion) : new Map(),
  };
}

function releasedPrivileges(outcome: LoginOutcome): string {
  const encoded = outcome.attributes.get(OIOSAML3.privilegesIntermediate) ?? outcome.attributes.get(LEGACY.privilegesIntermediate);
  expect(encoded).toHaveLength(1);
  return Buffer.from(encoded![0]!, "base64").toString("utf8");
}

describe("privileges: the fagsystem receives exactly its translated user-system roles", () => {
  it("translates job-function roles with parametric and static restrictions, keeps the delegated one, drops the rest", async () => {
    const fixture = await policyFixture();
    const outcome = await login(fixture, { attributes: defaultAttributes({ [OIOSAML3.privilegesIntermediate]: EVERYTHING }) });
    expect(outcome.answer.statusCode).toBe(STATUS.success);
    expect(releasedPrivileges(outcome)).toBe(
      '<bpp:PrivilegeList xmlns:bpp="http://digst.dk/oiosaml/basic_privilege_profile">' +
        `<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:${MUNICIPALITY_CVR}"><Privilege>${USR.cases}</Privilege>` +
        `<Constraint Name="${KLE}">27.*</Constraint><Constraint Name="${KLE}">29.03.*</Constraint></PrivilegeGroup>` +
        `<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:${MUNICIPALITY_CVR}"><Privilege>${USR.approve}</Privilege>` +
        `<Constraint Name="${ORG}">org-1</Constraint><Constraint Name="${ORG}">org-2</Constraint></PrivilegeGroup>` +
        `<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:${NEIGHBOUR}"><Privilege>${USR.read}</Privilege></PrivilegeGroup>` +
        "</bpp:PrivilegeList>",
    );
    await new Promise((resolve) => setImmediate(resolve));
    const dropped = fixture.logs.find((l) => l["event"] === "privilege_scope_dropped" && l.correlationId === outcome.correlationId);
    expect(dropped?.["dropped"]).toEqual([{ privilege: ROLE.strangers, scope: `CVR ${STRANGER}`, reason: "foreign_scope" }]);
    const explained = fixture.logs.find((l) => l["event"] === "privileges_explained" && l.correlationId === outcome.correlationId);
    expect(explained?.["audit"]).toBe(true);
    expect(explained?.["counts"]).toEqual({ translated: 3, passedThrough: 0, dropped: 2 });
  });

  it("emits the itst.dk namespace to a fagsystem that reads only that one", async () => {
    const fixture = await policyFixture({ sp: { privilegeNamespace: "itst.dk" } });
    const outcome = await login(fixture, { attributes: defaultAttributes({ [OIOSAML3.privilegesIntermediate]: EVERYTHING }) });
    expect(releasedPrivileges(outcome)).toMatch(/^<bpp:PrivilegeList xmlns:bpp="http:\/\/itst\.dk\/oiosaml\/basic_privilege_profile"><PrivilegeGroup/);
  });

  it("passes through user-system roles of this system an IdP sends itself, and no others", async () => {
    const fixture = await policyFixture({ sp: { userSystemRoles: ["http://fagsystem.test/roles/usersystemrole/admin/1"] } });
    const sent = jobRoles([{ role: "http://fagsystem.test/roles/usersystemrole/admin/1" }, { role: "http://andet.test/roles/usersystemrole/admin/1" }, { role: USR.read }]);
    const outcome = await login(fixture, { attributes: defaultAttributes({ [OIOSAML3.privilegesIntermediate]: sent }) });
    expect(decodePrivilegesAttribute(outcome.attributes.get(OIOSAML3.privilegesIntermediate)![0]!).list.groups.map((g) => g.privileges[0])).toEqual([
      "http://fagsystem.test/roles/usersystemrole/admin/1",
      USR.read,
    ]);
  });

  it("ignores the privileges of an IdP not registered as sending job-function roles", async () => {
    const fixture = await policyFixture({ idp: { sendsJobFunctionRoles: false } });
    const outcome = await login(fixture, { attributes: defaultAttributes({ [OIOSAML3.privilegesIntermediate]: EVERYTHING }) });
    expect(releasedPrivileges(outcome)).toBe('<bpp:PrivilegeList xmlns:bpp="http://digst.dk/oiosaml/basic_privilege_profile"/>');
  });

  it.each([
    ["not base64", "%%% not base64 %%%", "bpp_not_base64"],
    ["not a PrivilegeList", Buffer.from("<roles><admin/></roles>").toString("base64"), "bpp_wrong_root"],
  ])("fails the login, naming the IdP, when the privileges are %s (never a silent pass)", async (_name, value, reason) => {
    const fixture = await policyFixture();
    const outcome = await login(fixture, { attributes: defaultAttributes({ [OIOSAML3.privilegesIntermediate]: value }) });
    expect(outcome.answer.statusCode).toBe(STATUS.responder);
    expect(outcome.answer.subStatusCode).toBe(STATUS.authnFailed);
    expect(outcome.answer.statusMessage).toContain(`IdP test-kommune sent malformed privileges (OIO-BPP, ${reason})`);
    expect(outcome.page).toContain("privileges from the municipal login could not be read");
    expect(await logReasons(fixture)).toContain("privileges_malformed");
  });
});

describe("the explanation of one login, by correlation id", () => {
  it("is appended to the audit file and read back by `explain <correlationId>`", async () => {
    const auditFile = join(mkdtempSync(join(tmpdir(), "broker-audit-")), "logs", "audit.jsonl");
    const configured = await policyFixture({ config: { audit: { file: auditFile } } });
    const outcome = await login(configured, { attributes: defaultAttributes({ [OIOSAML3.privilegesIntermediate]: EVERYTHING }) });
    const records = findExplanations(readFileSync(auditFile, "utf8"), outcome.correlationId);
    expect(records).toHaveLength(1);
    const text = formatExplanation(records[0]!);
    expect(text).toContain(`fagsystem test-fagsystem, IdP test-kommune, CVR ${MUNICIPALITY_CVR}, person, NSIS Substantial`);
    expect(text).toContain(`#1 ${ROLE.caseworker} [CVR ${MUNICIPALITY_CVR}] → ${USR.cases} (${KLE}=27.*|29.03.*)`);
    expect(text).toContain(`#3 ${ROLE.canteen} [CVR ${MUNICIPALITY_CVR}] → dropped (no_mapping)`);
    expect(text).toContain(`#4 ${ROLE.substitute} [CVR ${NEIGHBOUR}] (delegated) → ${USR.read}`);
    expect(text).toContain(`#5 ${ROLE.strangers} [CVR ${STRANGER}] → dropped (foreign_scope)`);

    const cli = execFileSync(join("node_modules", ".bin", "tsx"), ["src/cli/main.ts", "explain", outcome.correlationId, "--audit-file", auditFile], { encoding: "utf8" });
    // How the login ended (its login record), then the explanation.
    const ended = findLogins(readFileSync(auditFile, "utf8"), outcome.correlationId);
    expect(ended).toHaveLength(1);
    expect(cli.trim()).toBe([formatLogin(ended[0]!), text].join("\n\n"));
    let missing = "";
    try {
      execFileSync(join("node_modules", ".bin", "tsx"), ["src/cli/main.ts", "explain", "no-such-login", "--audit-file", auditFile], { encoding: "utf8", stdio: "pipe" });
    } catch (error) {
      missing = String((error as { stderr?: string }).stderr);
    }
    expect(missing).toContain("no explanation for correlation id no-such-login");
  });
});

describe("federation: an IdP issues tokens only for its own organisations", () => {
  it("refuses another CVR with status Responder and shows the person a clear page", async () => {
    const fixture = await policyFixture();
    const outcome = await login(fixture, { attributes: defaultAttributes({ [OIOSAML3.cvr]: STRANGER }) });
    expect(outcome.answer.statusCode).toBe(STATUS.responder);
    expect(outcome.answer.subStatusCode).toBe(STATUS.requestDenied);
    expect(outcome.answer.statusMessage).toBe(`IdP test-kommune is not allowed to issue tokens for context ${STRANGER}`);
    expect(outcome.page).toContain(`may not log users in for the organisation with CVR ${STRANGER}`);
    expect(outcome.page).toContain(outcome.correlationId);
    expect(outcome.page).not.toContain("autosubmit.js");
    expect(await logReasons(fixture)).toContain("cvr_not_allowed");
  });

  it("accepts any of the IdP's registered CVRs, with orgName from the broker's register", async () => {
    const fixture = await policyFixture({ idp: { cvrs: [MUNICIPALITY_CVR, NEIGHBOUR] } });
    const outcome = await login(fixture, { attributes: defaultAttributes({ [OIOSAML3.cvr]: NEIGHBOUR, [OIOSAML3.orgName]: "Whatever the IdP says" }) });
    expect(outcome.attributes.get(OIOSAML3.cvr)).toEqual([NEIGHBOUR]);
    expect(outcome.attributes.get(OIOSAML3.orgName)).toEqual(["Nabo Kommune"]);
  });
});

describe("levels toward the IdP and back", () => {
  it("asks the IdP for the stricter of the fagsystem's configured level and its request, and refuses a downgrade with NoAuthnContext", async () => {
    const fixture = await policyFixture({ sp: { requiredLevel: { nsis: "Substantial" } } });
    const started = await startLogin(fixture, { requestedClassRefs: ["https://data.gov.dk/concept/core/nsis/loa/High"] });
    expect(started.upstreamXml).toContain('<samlp:RequestedAuthnContext Comparison="minimum"><saml:AuthnContextClassRef>https://data.gov.dk/concept/core/nsis/loa/High</saml:AuthnContextClassRef>');
    const response = await postToAcs(started.agent, await idpResponse(fixture.keys, { requestId: started.upstreamRequestId }));
    const answer = readSpAnswer(response.text);
    expect(answer.statusCode).toBe(STATUS.responder);
    expect(answer.subStatusCode).toBe(STATUS.noAuthnContext);
    expect(answer.statusMessage).toBe("login reached NSIS Substantial; the fagsystem requires NSIS High");
    expect(response.text).toContain("Your login does not have the assurance level the system requires.");
    expect(response.text).not.toContain("autosubmit.js");
  });

  it("never lowers the configured level because the request asks for less", async () => {
    const fixture = await policyFixture({ sp: { requiredLevel: { nsis: "Substantial" } } });
    const outcome = await login(
      fixture,
      { attributes: defaultAttributes({ [OIOSAML3.loa]: "Low" }), classRef: "https://data.gov.dk/concept/core/nsis/loa/Low" },
      { requestedClassRefs: ["https://data.gov.dk/concept/core/nsis/loa/Low"] },
    );
    expect(outcome.upstreamXml).toContain("https://data.gov.dk/concept/core/nsis/loa/Substantial");
    expect(outcome.answer.subStatusCode).toBe(STATUS.noAuthnContext);
  });

  it("serves a NIST fagsystem from an NSIS login through KOMBIT's conversion, asserting AssuranceLevel", async () => {
    const fixture = await policyFixture({ sp: { requiredLevel: { nist: 3 } } });
    const outcome = await login(fixture);
    expect(outcome.upstreamXml).toContain("urn:dk:gov:saml:attribute:AssuranceLevel:3");
    expect(outcome.answer.statusCode).toBe(STATUS.success);
    expect(outcome.attributes.get(LEGACY.assuranceLevel)).toEqual(["3"]);
    expect(outcome.attributes.has(OIOSAML3.loa)).toBe(false);
    expect(outcome.assertion!.getElementsByTagNameNS(NS.saml, "AuthnContextClassRef")[0]!.textContent).toBe("urn:dk:gov:saml:attribute:AssuranceLevel:3");
  });

  it("counts no more than the IdP is registered to deliver", async () => {
    const fixture = await policyFixture({ idp: { maxLevel: { nsis: "Substantial" } } });
    const outcome = await login(fixture, { attributes: defaultAttributes({ [OIOSAML3.loa]: "High" }), classRef: "https://data.gov.dk/concept/core/nsis/loa/High" });
    expect(outcome.attributes.get(OIOSAML3.loa)).toEqual(["Substantial"]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(fixture.logs.some((l) => l["event"] === "level_capped")).toBe(true);
    const strict = await policyFixture({ idp: { maxLevel: { nsis: "Substantial" } }, sp: { requiredLevel: { nsis: "High" } } });
    const refused = await login(strict, { attributes: defaultAttributes({ [OIOSAML3.loa]: "High" }), classRef: "https://data.gov.dk/concept/core/nsis/loa/High" });
    expect(refused.answer.subStatusCode).toBe(STATUS.noAuthnContext);
  });

  it.each([
    ["OIOSAML3", { nist: 3 }, "urn:dk:gov:saml:attribute:AssuranceLevel:3"],
    ["OIOSAML2", { nist: 2 }, "urn:dk:gov:saml:attribute:AssuranceLevel:2"],
    ["OIOSAML3_ADFS_MULTIPLEAUTHN", { nist: 3 }, "http://schemas.microsoft.com/claims/multipleauthn"],
    ["OIOSAML2_ADFS_MULTIPLEAUTHN", { nsis: "Substantial" }, "http://schemas.microsoft.com/claims/multipleauthn"],
    ["OIOSAML3_ADFS_RELAY_STATE", { nist: 4 }, "http://schemas.microsoft.com/claims/multipleauthn"],
    ["OIOSAML2_WITHOUT_REQUESTED_LOA", { nist: 3 }, undefined],
    ["OIOSAML2", { nsis: "Substantial" }, undefined],
  ])("asks an IdP registered as %s for %j with %s", async (profile, requiredLevel, classRef) => {
    const fixture = await policyFixture({ idp: { oiosamlProfile: profile }, sp: { requiredLevel } });
    const started = await startLogin(fixture);
    if (classRef === undefined) expect(started.upstreamXml).not.toContain("RequestedAuthnContext");
    else expect(started.upstreamXml).toContain(`<samlp:RequestedAuthnContext Comparison="minimum"><saml:AuthnContextClassRef>${classRef}</saml:AuthnContextClassRef></samlp:RequestedAuthnContext>`);
  });

  it("accepts AD FS's multipleauthn as multi-factor from an AD FS IdP", async () => {
    const fixture = await policyFixture({ idp: { oiosamlProfile: "OIOSAML3_ADFS_MULTIPLEAUTHN" }, sp: { requiredLevel: { nist: 3 } } });
    const outcome = await login(fixture, { attributes: defaultAttributes({ [OIOSAML3.loa]: undefined }), classRef: "http://schemas.microsoft.com/claims/multipleauthn" });
    expect(outcome.answer.statusCode).toBe(STATUS.success);
    expect(outcome.attributes.get(LEGACY.assuranceLevel)).toEqual(["3"]);
  });

  it("sends Scoping/RequesterID only to an IdP that accepts it", async () => {
    const accepting = await startLogin(await policyFixture({ idp: { sendScoping: true } }));
    expect(accepting.upstreamXml).toContain("<samlp:Scoping><samlp:RequesterID>https://fagsystem.test/sp</samlp:RequesterID></samlp:Scoping>");
    const adfs = await startLogin(await policyFixture({ idp: { sendScoping: false } }));
    expect(adfs.upstreamXml).not.toContain("Scoping");
  });
});

describe("robots", () => {
  const robotNameId = `C=DK,O=${MUNICIPALITY_CVR},CN=RPA Robot 7,Serial=robot-7`;
  const robotAttributes = () =>
    defaultAttributes({ [OIOSAML3.loa]: undefined, [LEGACY.assuranceLevel]: "3", [OIOSAML3.privilegesIntermediate]: jobRoles([{ role: ROLE.robot }]) });

  it("are refused, with a clear error, by a fagsystem that requires an NSIS level", async () => {
    const fixture = await policyFixture({ sp: { requiredLevel: { nsis: "Low" } } });
    const outcome = await login(fixture, { nameId: robotNameId, attributes: robotAttributes(), classRef: "urn:dk:gov:saml:attribute:AssuranceLevel:3" });
    expect(outcome.answer.statusCode).toBe(STATUS.responder);
    expect(outcome.answer.subStatusCode).toBe(STATUS.noAuthnContext);
    expect(outcome.answer.statusMessage).toContain("IdP test-kommune logged in a robot");
    expect(outcome.page).toContain("Robot users cannot log in to a system that requires an NSIS assurance level");
    expect(await logReasons(fixture)).toContain("robot_not_allowed");
  });

  it("are refused under NSIS even when the IdP asserts an NSIS level for them", async () => {
    const fixture = await policyFixture({ sp: { requiredLevel: { nsis: "Substantial" } } });
    const outcome = await login(fixture, { nameId: robotNameId });
    expect(outcome.answer.subStatusCode).toBe(STATUS.noAuthnContext);
    expect(await logReasons(fixture)).toContain("robot_not_allowed");
  });

  it("are served under a NIST requirement, with their translated roles", async () => {
    const fixture = await policyFixture({ sp: { requiredLevel: { nist: 3 } } });
    const outcome = await login(fixture, { nameId: robotNameId, attributes: robotAttributes(), classRef: "urn:dk:gov:saml:attribute:AssuranceLevel:3" });
    expect(outcome.answer.statusCode).toBe(STATUS.success);
    expect(releasedPrivileges(outcome)).toContain(`<Privilege>${USR.batch}</Privilege>`);
  });

  it("are recognised by an attribute when the IdP's registration says so", async () => {
    const fixture = await policyFixture({ idp: { robot: { attribute: { name: "https://idp.kommune.test/robot", value: "true" } } }, sp: { requiredLevel: { nsis: "Substantial" } } });
    const attributes = [...defaultAttributes(), { name: "https://idp.kommune.test/robot", values: ["true"] }];
    expect((await login(fixture, { attributes })).answer.subStatusCode).toBe(STATUS.noAuthnContext);
    expect((await login(fixture)).answer.statusCode).toBe(STATUS.success);
  });
});

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
    expect(releasedPrivileges(outcome)).toContain(`<Privilege>${USR.cases}</Privilege>`);
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
      { name: OIOSAML2.privilegesIntermediate, values: [jobRoles([{ role: ROLE.manager }])] },
    ];
    const outcome = await login(fixture, { attributes, classRef: "urn:dk:gov:saml:attribute:AssuranceLevel:3" });
    expect(outcome.answer.statusCode).toBe(STATUS.success);
    expect(outcome.attributes.get(OIOSAML3.email)).toEqual(["bo@kommune.test"]);
    expect(outcome.attributes.get(OIOSAML3.fullName)).toEqual(["Bo Berg"]);
    expect(outcome.attributes.get(LEGACY.assuranceLevel)).toEqual(["3"]);
    expect(releasedPrivileges(outcome)).toContain(`<Privilege>${USR.approve}</Privilege>`);
  });
});

describe("choosing the IdP by the client's address", () => {
  it("sends a client inside the IdP's ranges straight to it, and shows others the chooser", async () => {
    const { spRedirectRequest } = await import("./support/saml-peers.js");
    const { default: request } = await import("supertest");
    const inside = await policyFixture({ idp: { clientIpRanges: ["127.0.0.0/8", "::1/128"] } });
    const direct = await request(inside.app).get(spRedirectRequest(inside.keys, {}, "").path);
    expect(direct.status).toBe(303);
    expect(direct.headers["location"]).toMatch(/^https:\/\/idp\.kommune\.test\/sso\?SAMLRequest=/);
    expect(direct.headers["set-cookie"] ?? []).not.toEqual(expect.arrayContaining([expect.stringMatching(/^broker_municipality=/)]));
    const outside = await policyFixture({ idp: { clientIpRanges: ["192.0.2.0/24"] } });
    const chooser = await request(outside.app).get(spRedirectRequest(outside.keys, {}, "").path);
    expect(chooser.status).toBe(200);
    expect(chooser.text).toContain("Choose your municipality");
  });
});
