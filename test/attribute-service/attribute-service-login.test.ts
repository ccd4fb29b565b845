/**
 * A whole login through the broker over HTTP where the municipality's IdP
 * sends no privileges and they come from its attribute service (REST, on a
 * loopback port): the fagsystem's assertion carries the translated roles.
 * And the same login with the service down: the fagsystem gets a SAML error
 * and the person a page naming the service.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBrokerFixture, MUNICIPALITY_CVR, type BrokerFixture } from "../support/broker-fixture.js";
import { defaultAttributes, idpResponse, openBrokerAssertion, postToAcs, readSpAnswer, startLogin } from "../support/saml-peers.js";
import { bppBase64, json, privilegeGroups, startServer, type TestServer } from "../support/attribute-services.js";
import { CONSTRAINT, JOB_ROLE, USER_SYSTEM_ROLE } from "../support/uris.js";
import { NS, STATUS } from "../../src/saml/namespaces.js";
import { OIOSAML3 } from "../../src/profiles/oiosaml3-attributes.js";

const API_KEY_ENV = "TEST_E2E_ROLLER_API_KEY";

function privilegesOf(assertion: Element): string | undefined {
  for (const attribute of Array.from(assertion.getElementsByTagNameNS(NS.saml, "Attribute"))) {
    if (attribute.getAttribute("Name") === OIOSAML3.privilegesIntermediate) return attribute.getElementsByTagNameNS(NS.saml, "AttributeValue")[0]?.textContent ?? undefined;
  }
  return undefined;
}

describe("a login whose privileges come from the attribute service", () => {
  let service: TestServer;
  let up = true;
  let fixture: BrokerFixture;

  beforeAll(async () => {
    process.env[API_KEY_ENV] = "e2e-key";
    service = await startServer((request, response) => {
      if (!up) return json(response, 503, { error: "maintenance" });
      if (request.headers["apikey"] !== "e2e-key" || !request.url.startsWith("/api/user/12345/roles?system=")) return json(response, 404, {});
      json(response, 200, {
        nameID: `C=DK,O=${MUNICIPALITY_CVR},CN=Anna Andersen,Serial=12345`,
        oioBPP: bppBase64(privilegeGroups(MUNICIPALITY_CVR, [{ role: JOB_ROLE.caseworker, constraints: [{ name: CONSTRAINT.kleParametric, values: ["27.*"] }] }])),
        roleMap: { [JOB_ROLE.caseworker]: "Sagsbehandler" },
      });
    });
    fixture = await createBrokerFixture({
      config: { attributeServices: [{ id: "roller", kind: "rest", displayName: "Test Kommunes rollekatalog", baseUrl: service.url, apiKey: { env: API_KEY_ENV }, retries: 0, cacheSeconds: 0 }] },
      idp: { sendsJobFunctionRoles: false, privilegeSource: { from: "attribute-service", attributeService: "roller", userIdentifier: "serial" } },
      sp: {
        roleMappings: [
          { jobFunctionRole: JOB_ROLE.caseworker, userSystemRole: USER_SYSTEM_ROLE.caseHandling, restrictions: [{ type: CONSTRAINT.kle, parametric: CONSTRAINT.kleParametric }] },
        ],
      },
    });
  });

  afterAll(async () => {
    await service.close();
    delete process.env[API_KEY_ENV];
  });

  it("releases the service's roles, translated for the fagsystem, in the broker's assertion", async () => {
    up = true;
    const login = await startLogin(fixture);
    const response = await postToAcs(login.agent, await idpResponse(fixture.keys, { requestId: login.upstreamRequestId, attributes: defaultAttributes({ [OIOSAML3.privilegesIntermediate]: undefined }) }));
    expect(response.status).toBe(200);
    const answer = readSpAnswer(response.text);
    expect(answer.statusCode).toBe(STATUS.success);
    const privileges = privilegesOf(await openBrokerAssertion(answer, fixture.keys));
    expect(Buffer.from(privileges ?? "", "base64").toString("utf8")).toBe(
      '<bpp:PrivilegeList xmlns:bpp="http://digst.dk/oiosaml/basic_privilege_profile">' +
        `<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:${MUNICIPALITY_CVR}">` +
        `<Privilege>${USER_SYSTEM_ROLE.caseHandling}</Privilege>` +
        '<Constraint Name="http://sts.kombit.dk/constraints/KLE/1">27.*</Constraint>' +
        "</PrivilegeGroup></bpp:PrivilegeList>",
    );
  });

  it("answers the fagsystem with a SAML error and shows a page naming the service when it is down", async () => {
    up = false;
    const login = await startLogin(fixture);
    const response = await postToAcs(login.agent, await idpResponse(fixture.keys, { requestId: login.upstreamRequestId, attributes: defaultAttributes({ [OIOSAML3.privilegesIntermediate]: undefined }) }));
    expect(response.status).toBe(200);
    expect(response.text).toContain("Test Kommunes rollekatalog");
    const answer = readSpAnswer(response.text);
    expect(answer.statusCode).toBe(STATUS.responder);
    expect(answer.subStatusCode).toBe(STATUS.authnFailed);
    expect(answer.statusMessage).toContain("attribute service roller (Test Kommunes rollekatalog)");
    expect(answer.xml).not.toContain("<saml:Assertion");
    expect(answer.xml).not.toContain("EncryptedAssertion");
    await new Promise((resolve) => setImmediate(resolve));
    expect(fixture.logs.some((l) => l["event"] === "attribute_service_call" && l["outcome"] === "http_status")).toBe(true);
  });
});
