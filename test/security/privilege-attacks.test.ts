/**
 * Attack catalogue, classes 23 and 25: organisation scope and injection into
 * what the broker writes for the fagsystem.
 *
 * Class 23: an IdP may only speak for the CVRs it is registered for (the
 * federation rule, reason cvr_not_allowed), and inside OIO-BPP a privilege
 * group scoped to a foreign CVR (or to a role the owner did not delegate) is
 * dropped, never passed to the fagsystem.
 *
 * Class 25: attribute values that would break or extend the XML the broker
 * writes (the assertion and the OIO-BPP document inside it) arrive at the
 * fagsystem as the same text, never as structure; privileges that are not a
 * well-formed OIO-BPP document refuse the login.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createBrokerFixture, logReasons, MUNICIPALITY_CVR, type BrokerFixture } from "../support/broker-fixture.js";
import { defaultAttributes, idpResponse, openBrokerAssertion, readSpAnswer, startLogin } from "../support/saml-peers.js";
import { OIOSAML3 } from "../../src/profiles/oiosaml3-attributes.js";
import { NS, STATUS } from "../../src/saml/namespaces.js";
import { all, createTwoMunicipalityFixture, dom, expectRefused, OTHER_IDP, postResponse, tryAtAcs } from "./support/attack-kit.js";
import { BPP_NAMESPACES } from "../../src/profiles/bpp.js";
import { CONSTRAINT, JOB_ROLE, USER_SYSTEM_ROLE } from "../support/uris.js";

/** An IdP's OIO-BPP document, written as an IdP would (text, escaped). */
function bppXml(groups: Array<[scope: string, privilege: string]>): string {
  const esc = (v: string) => v.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;");
  return `<bpp:PrivilegeList xmlns:bpp="${BPP_NAMESPACES.itst}">${groups.map(([scope, privilege]) => `<bpp:PrivilegeGroup Scope="${esc(scope)}"><bpp:Privilege>${esc(privilege)}</bpp:Privilege></bpp:PrivilegeGroup>`).join("")}</bpp:PrivilegeList>`;
}

function bppList(groups: Array<[scope: string, privilege: string]>): string {
  return Buffer.from(bppXml(groups)).toString("base64");
}

interface SeenGroup {
  scope: string;
  privileges: string[];
  constraints?: Array<[string, string]>;
}

/** The OIO-BPP groups in the assertion the fagsystem receives. */
async function fagsystemPrivilegeGroups(fixture: BrokerFixture, responseHtml: string, withConstraints = false): Promise<SeenGroup[]> {
  const values = (await fagsystemAttributes(fixture, responseHtml)).get(OIOSAML3.privilegesIntermediate) ?? [];
  expect(values.length).toBeLessThanOrEqual(1);
  if (values.length === 0) return [];
  const doc = dom(Buffer.from(values[0]!, "base64").toString("utf8"));
  return Array.from(doc.getElementsByTagNameNS("*", "PrivilegeGroup") as unknown as ArrayLike<Element>).map((group) => {
    const seen: SeenGroup = {
      scope: group.getAttribute("Scope") ?? "",
      privileges: Array.from(group.getElementsByTagNameNS("*", "Privilege") as unknown as ArrayLike<Element>).map((p) => p.textContent ?? ""),
    };
    if (withConstraints) {
      seen.constraints = Array.from(group.getElementsByTagNameNS("*", "Constraint") as unknown as ArrayLike<Element>).map((c) => [c.getAttribute("Name") ?? "", c.textContent ?? ""] as [string, string]);
    }
    return seen;
  });
}

const PRIVILEGES_INJECTION =
  `Anna</saml:AttributeValue></saml:Attribute><saml:Attribute Name="${OIOSAML3.privilegesIntermediate}"><saml:AttributeValue>` +
  Buffer.from('<bpp:PrivilegeList xmlns:bpp="http://itst.dk/oiosaml/basic_privilege_profile"><bpp:PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:29189846"><bpp:Privilege>urn:dk:kombit:bfs:admin</bpp:Privilege></bpp:PrivilegeGroup></bpp:PrivilegeList>').toString("base64") +
  "</saml:AttributeValue></saml:Attribute><saml:Attribute Name=\"x\"><saml:AttributeValue>";

/** The attributes of the assertion the fagsystem receives, by name. */
async function fagsystemAttributes(fixture: BrokerFixture, responseHtml: string): Promise<Map<string, string[]>> {
  const assertion = await openBrokerAssertion(readSpAnswer(responseHtml), fixture.keys);
  const out = new Map<string, string[]>();
  for (const attribute of all(assertion, NS.saml, "Attribute")) {
    const name = attribute.getAttribute("Name")!;
    out.set(name, [...(out.get(name) ?? []), ...all(attribute, NS.saml, "AttributeValue").map((v) => v.textContent ?? "")]);
  }
  return out;
}

describe("privilege attacks", () => {
  let fixture: BrokerFixture;
  beforeAll(async () => {
    fixture = await createBrokerFixture();
  });

  describe("class 23: a CVR the IdP may not issue for", () => {
    it("refuses an IdP asserting a CVR it is not registered for, with RequestDenied", async () => {
      const outcome = await tryAtAcs(fixture, (requestId, keys) => idpResponse(keys, { requestId, attributes: defaultAttributes({ [OIOSAML3.cvr]: "11223344" }) }));
      await expectRefused(fixture, outcome, "cvr_not_allowed");
    });

    it("refuses one registered municipality asserting another municipality's CVR", async () => {
      const { fixture: two, otherIdpKey } = await createTwoMunicipalityFixture();
      const login = await startLogin(two, {}, `municipality=${OTHER_IDP.id}`);
      const xml = await idpResponse(two.keys, {
        requestId: login.upstreamRequestId,
        issuer: OTHER_IDP.entityId,
        responseIssuer: OTHER_IDP.entityId,
        signAssertionWith: otherIdpKey,
        attributes: defaultAttributes({ [OIOSAML3.cvr]: MUNICIPALITY_CVR }),
      });
      const outcome = await postResponse(login.agent, xml);
      await expectRefused(two, outcome, "cvr_not_allowed");
      expect(readSpAnswer(outcome.response.text).subStatusCode).toBe(STATUS.requestDenied);
    });

    it("accepts the same IdP asserting its own CVR (control)", async () => {
      const { fixture: two, otherIdpKey } = await createTwoMunicipalityFixture();
      const login = await startLogin(two, {}, `municipality=${OTHER_IDP.id}`);
      const xml = await idpResponse(two.keys, {
        requestId: login.upstreamRequestId,
        issuer: OTHER_IDP.entityId,
        responseIssuer: OTHER_IDP.entityId,
        signAssertionWith: otherIdpKey,
        attributes: defaultAttributes({ [OIOSAML3.cvr]: OTHER_IDP.cvr }),
        nameId: `C=DK,O=${OTHER_IDP.cvr},CN=Bo Berg,Serial=1`,
      });
      const outcome = await postResponse(login.agent, xml);
      expect(outcome.statusCode).toBe(STATUS.success);
    });

    it("refuses a CVR attribute carrying two different CVRs", async () => {
      const outcome = await tryAtAcs(fixture, (requestId, keys) => {
        const attributes = defaultAttributes().map((a) => (a.name === OIOSAML3.cvr ? { ...a, values: [MUNICIPALITY_CVR, "11223344"] } : a));
        return idpResponse(keys, { requestId, attributes });
      });
      await expectRefused(fixture, outcome, "attribute_ambiguous");
    });
  });

  describe("class 23: OIO-BPP groups scoped to a foreign CVR are dropped", () => {
    let roles: BrokerFixture;
    beforeAll(async () => {
      roles = await createBrokerFixture({
        config: { jobFunctionRoles: [{ id: JOB_ROLE.delegated, owner: "11223344", delegatedTo: [] }] },
        sp: { userSystemRoles: [USER_SYSTEM_ROLE.caseworker, USER_SYSTEM_ROLE.admin, JOB_ROLE.delegated] },
      });
    });

    it("passes the own-CVR group and drops the foreign-CVR, undelegated and CPR-scoped ones", async () => {
      const privileges = bppList([
        [`urn:dk:gov:saml:cvrNumberIdentifier:${MUNICIPALITY_CVR}`, USER_SYSTEM_ROLE.caseworker],
        ["urn:dk:gov:saml:cvrNumberIdentifier:11223344", USER_SYSTEM_ROLE.admin],
        ["urn:dk:gov:saml:cvrNumberIdentifier:11223344", JOB_ROLE.delegated],
        ["urn:dk:gov:saml:cprNumberIdentifier:0101701234", USER_SYSTEM_ROLE.admin],
      ]);
      const login = await startLogin(roles);
      const outcome = await postResponse(login.agent, await idpResponse(roles.keys, { requestId: login.upstreamRequestId, attributes: defaultAttributes({ [OIOSAML3.privilegesIntermediate]: privileges }) }));
      expect(outcome.statusCode).toBe(STATUS.success);
      const groups = await fagsystemPrivilegeGroups(roles, outcome.response.text);
      expect(groups).toEqual([{ scope: `urn:dk:gov:saml:cvrNumberIdentifier:${MUNICIPALITY_CVR}`, privileges: [USER_SYSTEM_ROLE.caseworker] }]);
      await logReasons(roles);
      const line = roles.logs.find((l) => l.correlationId === outcome.correlationId && l["event"] === "privilege_scope_dropped");
      expect(line, "a log line naming the dropped groups").toBeDefined();
      const dropped = line!["dropped"] as Array<{ privilege: string; reason: string }>;
      expect(dropped.map((d) => d.reason).sort()).toEqual(["foreign_scope", "foreign_scope", "unsupported_scope"]);
    });
  });

  describe("class 25: attribute values that would break or extend the XML the broker writes", () => {
    it("passes markup in a name through as text: no extra attribute, no injected privileges", async () => {
      const login = await startLogin(fixture);
      const xml = await idpResponse(fixture.keys, { requestId: login.upstreamRequestId, attributes: defaultAttributes({ [OIOSAML3.fullName]: PRIVILEGES_INJECTION }) });
      const outcome = await postResponse(login.agent, xml);
      expect(outcome.statusCode).toBe(STATUS.success);
      const attributes = await fagsystemAttributes(fixture, outcome.response.text);
      expect(attributes.get(OIOSAML3.fullName)).toEqual([PRIVILEGES_INJECTION]);
      expect(attributes.has("x")).toBe(false);
      const privileges = attributes.get(OIOSAML3.privilegesIntermediate) ?? [];
      expect(privileges.length).toBeLessThanOrEqual(1);
      for (const value of privileges) expect(Buffer.from(value, "base64").toString("utf8")).not.toContain("urn:dk:kombit:bfs:admin");
    });

    it("passes quotes, ampersands and angle brackets in an e-mail through unchanged", async () => {
      const tricky = `a"b'c&amp;<d>@kommune.test`;
      const login = await startLogin(fixture);
      const outcome = await postResponse(login.agent, await idpResponse(fixture.keys, { requestId: login.upstreamRequestId, attributes: defaultAttributes({ [OIOSAML3.email]: tricky }) }));
      expect(outcome.statusCode).toBe(STATUS.success);
      expect((await fagsystemAttributes(fixture, outcome.response.text)).get(OIOSAML3.email)).toEqual([tricky]);
    });

    it("never lets a NameID close the Subject", async () => {
      const nameId = `C=DK,O=${MUNICIPALITY_CVR},CN=Anna</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"/><saml:NameID>,Serial=1`;
      const login = await startLogin(fixture);
      const outcome = await postResponse(login.agent, await idpResponse(fixture.keys, { requestId: login.upstreamRequestId, nameId }));
      expect(outcome.statusCode).toBe(STATUS.success);
      const assertion = await openBrokerAssertion(readSpAnswer(outcome.response.text), fixture.keys);
      expect(all(assertion, NS.saml, "NameID")).toHaveLength(1);
      expect(all(assertion, NS.saml, "SubjectConfirmation").map((c) => c.getAttribute("Method"))).toEqual(["urn:oasis:names:tc:SAML:2.0:cm:bearer"]);
    });

    it("keeps a parametric restriction value with OIO-BPP markup as one Constraint value, adding no group", async () => {
      const injected = `27.00.00</bpp:Constraint></bpp:PrivilegeGroup><bpp:PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:11223344"><bpp:Privilege>${USER_SYSTEM_ROLE.admin}</bpp:Privilege><bpp:Constraint Name="x">`;
      const mapped = await createBrokerFixture({
        sp: { roleMappings: [{ jobFunctionRole: JOB_ROLE.caseworker, userSystemRole: USER_SYSTEM_ROLE.caseworker, restrictions: [{ type: CONSTRAINT.kle, parametric: CONSTRAINT.kleParametric }] }] },
      });
      const login = await startLogin(mapped);
      const attributes = [
        ...defaultAttributes({ [OIOSAML3.privilegesIntermediate]: bppList([[`urn:dk:gov:saml:cvrNumberIdentifier:${MUNICIPALITY_CVR}`, JOB_ROLE.caseworker]]) }),
        { name: CONSTRAINT.kleParametric, values: [injected] },
      ];
      const outcome = await postResponse(login.agent, await idpResponse(mapped.keys, { requestId: login.upstreamRequestId, attributes }));
      expect(outcome.statusCode).toBe(STATUS.success);
      const groups = await fagsystemPrivilegeGroups(mapped, outcome.response.text, true);
      expect(groups).toEqual([{ scope: `urn:dk:gov:saml:cvrNumberIdentifier:${MUNICIPALITY_CVR}`, privileges: [USER_SYSTEM_ROLE.caseworker], constraints: [[CONSTRAINT.kle, injected]] }]);
    });

    it("escapes markup in a privilege URI the IdP sent, passing it through as one Privilege", async () => {
      const odd = `${USER_SYSTEM_ROLE.caseworker}?a=1&b=<x>`;
      const passing = await createBrokerFixture({ sp: { userSystemRoles: [odd] } });
      const login = await startLogin(passing);
      const privileges = bppList([[`urn:dk:gov:saml:cvrNumberIdentifier:${MUNICIPALITY_CVR}`, odd]]);
      const outcome = await postResponse(login.agent, await idpResponse(passing.keys, { requestId: login.upstreamRequestId, attributes: defaultAttributes({ [OIOSAML3.privilegesIntermediate]: privileges }) }));
      expect(outcome.statusCode).toBe(STATUS.success);
      expect(await fagsystemPrivilegeGroups(passing, outcome.response.text)).toEqual([{ scope: `urn:dk:gov:saml:cvrNumberIdentifier:${MUNICIPALITY_CVR}`, privileges: [odd] }]);
    });

    const MALFORMED: Array<[string, string]> = [
      ["not base64", "<bpp:PrivilegeList/>"],
      ["base64 of a DOCTYPE with entities", Buffer.from('<!DOCTYPE l [<!ENTITY a "aaaa">]><bpp:PrivilegeList xmlns:bpp="http://itst.dk/oiosaml/basic_privilege_profile">&a;</bpp:PrivilegeList>').toString("base64")],
      ["base64 of two roots", Buffer.from(`${bppXml([])}${bppXml([])}`).toString("base64")],
      ["base64 of another root element", Buffer.from('<x:Admin xmlns:x="urn:x"/>').toString("base64")],
      ["base64 of more groups than the limit", Buffer.from(bppXml(Array.from({ length: 501 }, () => [`urn:dk:gov:saml:cvrNumberIdentifier:${MUNICIPALITY_CVR}`, USER_SYSTEM_ROLE.caseworker] as [string, string]))).toString("base64")],
    ];
    for (const [name, value] of MALFORMED) {
      it(`refuses privileges that are ${name}`, async () => {
        const outcome = await tryAtAcs(fixture, (requestId, keys) => idpResponse(keys, { requestId, attributes: defaultAttributes({ [OIOSAML3.privilegesIntermediate]: value }) }));
        await expectRefused(fixture, outcome, "privileges_malformed");
      });
    }
  });
});
