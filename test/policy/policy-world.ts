/**
 * The policy world shared by the policy tests: a fagsystem with role
 * mappings, a municipality with a neighbour that delegates a role, and one
 * whole login through the hop (signed, encrypted SAML both ways).
 */
import { expect } from "vitest";
import { createBrokerFixture, MUNICIPALITY_CVR, type BrokerFixture, type FixtureOptions } from "../support/broker-fixture.js";
import { idpResponse, openBrokerAssertion, postToAcs, readSpAnswer, startLogin, type SpRequestOptions } from "../support/saml-peers.js";
import { CONSTRAINT, JOB_ROLE, USER_SYSTEM_ROLE } from "../support/uris.js";
import { NS, STATUS } from "../../src/saml/namespaces.js";
import { LEGACY, OIOSAML3 } from "../../src/profiles/oiosaml3-attributes.js";
import { BPP_NAMESPACES, cvrScope, type PrivilegeGroup } from "../../src/profiles/bpp.js";
import { encodePrivilegesAttribute } from "../../src/profiles/bpp-codec.js";
import type { OutgoingAttribute } from "../../src/saml/response-builder.js";

export const NEIGHBOUR = "11223344";
export const STRANGER = "55667788";

export const ROLE_MAPPINGS = [
  { jobFunctionRole: JOB_ROLE.caseworker, userSystemRole: USER_SYSTEM_ROLE.caseHandling, restrictions: [{ type: CONSTRAINT.kle, parametric: CONSTRAINT.kleParametric }] },
  { jobFunctionRole: JOB_ROLE.manager, userSystemRole: USER_SYSTEM_ROLE.approval, restrictions: [{ type: CONSTRAINT.orgUnit, values: ["org-1", "org-2"] }] },
  { jobFunctionRole: JOB_ROLE.substitute, userSystemRole: USER_SYSTEM_ROLE.read },
  { jobFunctionRole: JOB_ROLE.strangers, userSystemRole: USER_SYSTEM_ROLE.read },
  { jobFunctionRole: JOB_ROLE.robot, userSystemRole: USER_SYSTEM_ROLE.batch },
];

/** A fixture whose fagsystem has role mappings and whose municipality has a neighbour that delegates a role. */
export function policyFixture(options: FixtureOptions = {}): Promise<BrokerFixture> {
  return createBrokerFixture({
    ...options,
    sp: { roleMappings: ROLE_MAPPINGS, ...options.sp },
    idp: { robot: { nameIdPattern: "^C=DK,O=\\d{8},CN=RPA " }, ...options.idp },
    config: {
      organisations: [
        { cvr: MUNICIPALITY_CVR, name: "Test Kommune" },
        { cvr: NEIGHBOUR, name: "Nabo Kommune" },
      ],
      jobFunctionRoles: [{ id: JOB_ROLE.substitute, owner: NEIGHBOUR, delegatedTo: [MUNICIPALITY_CVR] }],
      ...options.config,
    },
  });
}

export function jobRoles(groups: Array<{ role: string; scope?: string; constraints?: PrivilegeGroup["constraints"] }>): string {
  return encodePrivilegesAttribute({
    namespace: BPP_NAMESPACES.itst,
    groups: groups.map((g) => ({ scope: cvrScope(g.scope ?? MUNICIPALITY_CVR), privileges: [g.role], constraints: g.constraints ?? [] })),
  });
}

export const EVERYTHING = jobRoles([
  { role: JOB_ROLE.caseworker, constraints: [{ name: CONSTRAINT.kleParametric, values: ["27.*", "29.03.*"] }] },
  { role: JOB_ROLE.manager },
  { role: JOB_ROLE.canteen },
  { role: JOB_ROLE.substitute, scope: NEIGHBOUR },
  { role: JOB_ROLE.strangers, scope: STRANGER },
]);

export function attributeValues(assertion: Element): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const attribute of Array.from(assertion.getElementsByTagNameNS(NS.saml, "Attribute"))) {
    out.set(attribute.getAttribute("Name")!, Array.from(attribute.getElementsByTagNameNS(NS.saml, "AttributeValue")).map((v) => v.textContent ?? ""));
  }
  return out;
}

export interface LoginOutcome {
  page: string;
  answer: ReturnType<typeof readSpAnswer>;
  upstreamXml: string;
  correlationId: string;
  assertion: Element | undefined;
  attributes: Map<string, string[]>;
}

/** A whole login: the fagsystem asks, the IdP answers with these attributes, the fagsystem opens the result. */
export async function login(
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

export function releasedPrivileges(outcome: LoginOutcome): string {
  const encoded = outcome.attributes.get(OIOSAML3.privilegesIntermediate) ?? outcome.attributes.get(LEGACY.privilegesIntermediate);
  expect(encoded).toHaveLength(1);
  return Buffer.from(encoded![0]!, "base64").toString("utf8");
}
