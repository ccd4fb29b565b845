/**
 * Privileges from attribute services, through the real login steps (map,
 * scope rule, translation) of a broker built from configuration, against
 * services on loopback ports: REST (OS2rollekatalog shape and role lists)
 * and SAML AttributeQuery over SOAP with real signatures.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createBrokerFixture, IDP_ENTITY_ID, MUNICIPALITY_CVR, SP_ACS_URL, SP_ENTITY_ID, type BrokerFixture } from "../support/broker-fixture.js";
import { defaultAttributes } from "../support/saml-peers.js";
import { testKey } from "../support/keys.js";
import {
  attributeAuthorityMetadata,
  authorityAnswer,
  bppBase64,
  json,
  privilegeGroups,
  readQuery,
  startServer,
  type Handler,
  type TestServer,
} from "../support/attribute-services.js";
import { samlDownstream } from "../../src/frontends/saml-idp/saml-reply.js";
import { runSteps } from "../../src/login/run-steps.js";
import { wireLogin } from "../../src/http/wire-login.js";
import { samlUpstreamResult } from "../support/upstream-results.js";
import { LoginError } from "../../src/model/login-error.js";
import type { LoginContext } from "../../src/login/pipeline-types.js";
import type { UpstreamResult } from "../../src/model/upstream-result.js";
import type { PrivilegeList } from "../../src/profiles/bpp.js";
import type { RoleOutcome } from "../../src/profiles/role-translation.js";
import { NAMEID_FORMAT, STATUS } from "../../src/saml/namespaces.js";
import { OIOSAML3 } from "../../src/profiles/oiosaml3-attributes.js";
import { attributeServiceMetrics } from "../../src/backends/attribute-service/attribute-metrics.js";
import { CACHE_PREFIX, cacheKey } from "../../src/backends/attribute-service/attribute-cache.js";
import { MemoryStore } from "../../src/store/memory-store.js";

const API_KEY_ENV = "TEST_ROLLER_API_KEY";
const API_KEY = "k3y-for-tests-only";
const FOREIGN_CVR = "11223344";
const JOB_CASEWORKER = "http://kommune.test/roles/jobrole/sagsbehandler/1";
const JOB_MANAGER = "http://kommune.test/roles/jobrole/leder/1";
const USR_CASES = "http://fagsystem.test/roles/usersystemrole/sager/1";
const USR_APPROVE = "http://fagsystem.test/roles/usersystemrole/godkend/1";
const KLE = "http://sts.kombit.dk/constraints/KLE/1";
const GROUPS_CLAIM = "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups";
const NAME_ID = `C=DK,O=${MUNICIPALITY_CVR},CN=Anna Andersen,Serial=anna`;
const SYSTEM_ID = "sager-system";

const ROLE_MAPPINGS = [
  { jobFunctionRole: JOB_CASEWORKER, userSystemRole: USR_CASES, restrictions: [{ type: KLE, parametric: `${KLE}/parametric` }] },
  { jobFunctionRole: JOB_MANAGER, userSystemRole: USR_APPROVE },
];

let counter = 0;

function upstream(attributes = defaultAttributes({ [OIOSAML3.privilegesIntermediate]: undefined }), nameId = NAME_ID): UpstreamResult {
  counter += 1;
  return samlUpstreamResult({
    upstreamId: "test-kommune",
    issuer: IDP_ENTITY_ID,
    nameId,
    nameIdFormat: NAMEID_FORMAT.x509SubjectName,
    attributes: attributes.map((a) => ({ name: a.name, values: [...a.values] })),
    level: { nsis: "Substantial" },
    authnInstant: new Date().toISOString(),
    assertionId: `_a${counter}`,
  });
}

function login(fixture: BrokerFixture, result: UpstreamResult = upstream()): Promise<LoginContext> {
  return runSteps({
    broker: fixture.broker,
    ports: wireLogin(fixture.broker).ports,
    request: {
      correlationId: `corr-${counter}`,
      downstream: samlDownstream({ spId: "test-fagsystem", spEntityId: SP_ENTITY_ID, requestId: `_req${counter}`, acsUrl: SP_ACS_URL, relayState: undefined }),
      requiredLevel: { kind: "none" },
      forceAuthn: false,
      isPassive: false,
      municipalityHint: undefined,
      createdAt: Date.now(),
    },
    upstreams: [result],
    identity: undefined,
  });
}

function released(context: LoginContext): { list: PrivilegeList; outcomes: RoleOutcome[] } {
  const privileges = context.identity!.privileges;
  if (privileges.stage !== "translated") throw new Error(`privileges at stage ${privileges.stage}`);
  return { list: privileges.list, outcomes: privileges.outcomes };
}

function grantedRoles(context: LoginContext): string[] {
  return released(context).list.groups.map((g) => `${g.privileges.join(" ")} @${g.scope.kind === "cvr" ? g.scope.cvr : "?"}${g.constraints.map((c) => ` ${c.name}=${c.values.join("|")}`).join("")}`);
}

async function refused(promise: Promise<unknown>): Promise<LoginError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LoginError) return error;
    throw error;
  }
  throw new Error("the login was not refused");
}

interface Setup {
  service?: Record<string, unknown>;
  privilegeSource?: Record<string, unknown>;
  sp?: Record<string, unknown>;
}

async function restFixture(server: TestServer, setup: Setup = {}): Promise<BrokerFixture> {
  return createBrokerFixture({
    store: new MemoryStore(),
    config: {
      attributeServices: [
        {
          id: "roller",
          kind: "rest",
          displayName: "Test Kommunes rollekatalog",
          baseUrl: server.url,
          apiKey: { env: API_KEY_ENV },
          timeoutMs: 500,
          retries: 1,
          cacheSeconds: 0,
          systems: { "test-fagsystem": SYSTEM_ID },
          ...setup.service,
        },
      ],
    },
    idp: { privilegeSource: { from: "attribute-service", attributeService: "roller", userIdentifier: "serial", ...setup.privilegeSource } },
    sp: { roleMappings: ROLE_MAPPINGS, ...setup.sp },
  });
}

const servers: TestServer[] = [];
async function serve(handler: Handler): Promise<TestServer> {
  const server = await startServer(handler);
  servers.push(server);
  return server;
}

beforeAll(() => {
  process.env[API_KEY_ENV] = API_KEY;
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(() => {
  delete process.env[API_KEY_ENV];
});

/** An OS2rollekatalog-shaped service holding Anna's job-function roles. */
function rollekatalog(roles: Parameters<typeof privilegeGroups>[1], nameId = NAME_ID): Handler {
  return (request, response) => {
    const url = new URL(request.url, "http://x");
    if (request.headers["apikey"] !== API_KEY) return json(response, 401, { error: "bad key" });
    if (url.pathname !== "/api/user/anna/roles") return json(response, 404, { error: "no such user" });
    json(response, 200, { nameID: nameId, oioBPP: bppBase64(privilegeGroups(MUNICIPALITY_CVR, roles)), roleMap: {} });
  };
}

describe("REST attribute service (OS2rollekatalog shape)", () => {
  it("asks with the API key, the Serial and the system, and releases the translated roles", async () => {
    const server = await serve(rollekatalog([{ role: JOB_CASEWORKER, constraints: [{ name: `${KLE}/parametric`, values: ["27.*", "29.03.*"] }] }, { role: JOB_MANAGER }]));
    const fixture = await restFixture(server, { privilegeSource: { forwardClaims: [{ attribute: GROUPS_CLAIM, parameter: "group" }] } });
    const attributes = [...defaultAttributes({ [OIOSAML3.privilegesIntermediate]: undefined }), { name: GROUPS_CLAIM, values: ["g-sag", "g-leder"] }];
    const context = await login(fixture, upstream(attributes));
    expect(grantedRoles(context)).toEqual([`${USR_CASES} @${MUNICIPALITY_CVR} ${KLE}=27.*|29.03.*`, `${USR_APPROVE} @${MUNICIPALITY_CVR}`]);
    expect(server.requests).toHaveLength(1);
    const asked = new URL(server.requests[0]!.url, "http://x");
    expect(asked.pathname).toBe("/api/user/anna/roles");
    expect(asked.searchParams.getAll("system")).toEqual([SYSTEM_ID]);
    expect(asked.searchParams.getAll("group")).toEqual(["g-sag", "g-leder"]);
    expect(server.requests[0]!.headers["apikey"]).toBe(API_KEY);
  });

  it("reads a role list with constraints; roles without a CVR belong to the login's organisation", async () => {
    const server = await serve((_request, response) =>
      json(response, 200, [
        { role: JOB_MANAGER },
        { role: USR_CASES, constraints: [{ name: KLE, values: ["27.*"] }] },
      ]),
    );
    const fixture = await restFixture(server, { service: { format: "role-list" } });
    const context = await login(fixture);
    expect(grantedRoles(context)).toEqual([`${USR_APPROVE} @${MUNICIPALITY_CVR}`, `${USR_CASES} @${MUNICIPALITY_CVR} ${KLE}=27.*`]);
  });

  it("fails closed on a timeout after one bounded retry, naming the municipality's attribute service", async () => {
    const server = await serve((_request, response) => {
      setTimeout(() => json(response, 200, { oioBPP: bppBase64([]) }), 2_000).unref();
    });
    const fixture = await restFixture(server, { service: { timeoutMs: 150, retries: 1 } });
    const started = Date.now();
    const error = await refused(login(fixture));
    expect(error.reason).toBe("attribute_service_timeout");
    expect(error.message).toContain("attribute service roller (Test Kommunes rollekatalog) of IdP test-kommune failed (timeout)");
    expect(error.userMessage).toContain("Test Kommunes rollekatalog");
    expect(error.refusal).toBe("authentication_failed");
    expect(server.requests).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("fails closed on HTTP 500 after the bounded retries", async () => {
    const server = await serve((_request, response) => json(response, 500, { error: "database down" }));
    const fixture = await restFixture(server, { service: { retries: 2 } });
    const retriesBefore = attributeServiceMetrics.retryCount("roller");
    const error = await refused(login(fixture));
    expect(error.reason).toBe("attribute_service_http_status");
    expect(error.message).toContain("answered HTTP 500");
    expect(server.requests).toHaveLength(3);
    expect(attributeServiceMetrics.retryCount("roller") - retriesBefore).toBe(2);
  });

  it("does not repeat a 4xx: a wrong API key is refused at once", async () => {
    const server = await serve(rollekatalog([{ role: JOB_MANAGER }]));
    process.env[API_KEY_ENV] = "wrong";
    try {
      const fixture = await restFixture(server);
      const error = await refused(login(fixture));
      expect(error.reason).toBe("attribute_service_http_status");
      expect(server.requests).toHaveLength(1);
    } finally {
      process.env[API_KEY_ENV] = API_KEY;
    }
  });

  it("fails closed on malformed OIO-BPP without retrying", async () => {
    const server = await serve((_request, response) => json(response, 200, { nameID: NAME_ID, oioBPP: Buffer.from("<PrivilegeList>not bpp</PrivilegeList>").toString("base64") }));
    const fixture = await restFixture(server);
    const error = await refused(login(fixture));
    expect(error.reason).toBe("attribute_service_malformed");
    expect(error.message).toContain("bpp_wrong_root");
    expect(server.requests).toHaveLength(1);
  });

  it("fails closed on an answer that is not JSON, or too large", async () => {
    const html = await serve((_request, response) => {
      response.setHeader("content-type", "text/html");
      response.end("<html>login</html>");
    });
    expect((await refused(login(await restFixture(html)))).reason).toBe("attribute_service_malformed");
    const huge = await serve((_request, response) => json(response, 200, { oioBPP: "A".repeat(20_000) }));
    const error = await refused(login(await restFixture(huge, { service: { maxResponseBytes: 4_096 } })));
    expect(error.reason).toBe("attribute_service_malformed");
    expect(error.message).toContain("larger than 4096 bytes");
  });

  it("drops groups scoped to a foreign CVR through the same scope rule as the IdP's", async () => {
    const server = await serve(rollekatalog([{ role: JOB_MANAGER, scopeCvr: FOREIGN_CVR }, { role: JOB_CASEWORKER, constraints: [{ name: `${KLE}/parametric`, values: ["27.*"] }] }]));
    const fixture = await restFixture(server);
    const context = await login(fixture);
    expect(grantedRoles(context)).toEqual([`${USR_CASES} @${MUNICIPALITY_CVR} ${KLE}=27.*`]);
    const dropped = released(context).outcomes.filter((o) => o.outcome === "dropped");
    expect(dropped).toEqual([expect.objectContaining({ privilege: JOB_MANAGER, reason: "foreign_scope" })]);
  });

  it("refuses an answer about a user of another organisation", async () => {
    const server = await serve(rollekatalog([{ role: JOB_MANAGER }], `C=DK,O=${FOREIGN_CVR},CN=Anna Andersen,Serial=anna`));
    const fixture = await restFixture(server);
    const error = await refused(login(fixture));
    expect(error.reason).toBe("attribute_service_wrong_subject");
    expect(error.message).toContain(`CVR ${FOREIGN_CVR}`);
  });

  it("answers a second login for the same user and system from the cache", async () => {
    const server = await serve(rollekatalog([{ role: JOB_MANAGER }]));
    const store = new MemoryStore();
    const fixture = await createBrokerFixture({
      store,
      config: {
        attributeServices: [{ id: "roller", kind: "rest", displayName: "Rollekatalog", baseUrl: server.url, apiKey: { env: API_KEY_ENV }, cacheSeconds: 60 }],
      },
      idp: { privilegeSource: { from: "attribute-service", attributeService: "roller" } },
      sp: { roleMappings: ROLE_MAPPINGS },
    });
    const hitsBefore = attributeServiceMetrics.count("roller", "cache_hit");
    const first = await login(fixture);
    const second = await login(fixture);
    expect(grantedRoles(second)).toEqual(grantedRoles(first));
    expect(grantedRoles(second)).toEqual([`${USR_APPROVE} @${MUNICIPALITY_CVR}`]);
    expect(server.requests).toHaveLength(1);
    expect(attributeServiceMetrics.count("roller", "cache_hit") - hitsBefore).toBe(1);
    // Another user is not served from Anna's entry.
    await refused(login(fixture, upstream(undefined, `C=DK,O=${MUNICIPALITY_CVR},CN=Bo,Serial=bo`)));
    expect(server.requests).toHaveLength(2);
    const key = cacheKey("roller", { userId: "anna", nameId: NAME_ID, nameIdFormat: undefined, cvr: MUNICIPALITY_CVR, systemId: SP_ENTITY_ID, claims: [], correlationId: "any" });
    expect(key.startsWith(`${CACHE_PREFIX}roller:`)).toBe(true);
    expect(key).not.toContain("anna");
    expect(JSON.parse((await store.get(key))!)).toEqual(expect.objectContaining({ kind: "privileges" }));
  });

  it("merges the service's privileges with the assertion's, duplicates removed", async () => {
    const server = await serve(rollekatalog([{ role: JOB_MANAGER }, { role: JOB_CASEWORKER, constraints: [{ name: `${KLE}/parametric`, values: ["29.*"] }] }]));
    const fixture = await restFixture(server, { privilegeSource: { from: "both" } });
    const fromIdp = bppBase64(privilegeGroups(MUNICIPALITY_CVR, [{ role: JOB_MANAGER }]));
    const context = await login(fixture, upstream(defaultAttributes({ [OIOSAML3.privilegesIntermediate]: fromIdp })));
    expect(grantedRoles(context)).toEqual([`${USR_APPROVE} @${MUNICIPALITY_CVR}`, `${USR_CASES} @${MUNICIPALITY_CVR} ${KLE}=29.*`]);
    // The manager role counts once: from the assertion (position 1); the service's copy is not a second incoming role.
    const outcomes = released(context).outcomes;
    expect(outcomes.map((o) => [o.position, o.privilege, o.outcome])).toEqual([
      [1, JOB_MANAGER, "translated"],
      [3, JOB_CASEWORKER, "translated"],
    ]);
  });

  it("ignores the assertion's privileges when they come from the service only", async () => {
    const server = await serve(rollekatalog([{ role: JOB_CASEWORKER, constraints: [{ name: `${KLE}/parametric`, values: ["27.*"] }] }]));
    const fixture = await restFixture(server);
    const fromIdp = bppBase64(privilegeGroups(MUNICIPALITY_CVR, [{ role: JOB_MANAGER }]));
    const context = await login(fixture, upstream(defaultAttributes({ [OIOSAML3.privilegesIntermediate]: fromIdp })));
    expect(grantedRoles(context)).toEqual([`${USR_CASES} @${MUNICIPALITY_CVR} ${KLE}=27.*`]);
    expect(released(context).outcomes[0]).toEqual(expect.objectContaining({ privilege: JOB_MANAGER, outcome: "dropped", reason: "idp_sends_no_roles" }));
  });

  it("refuses a user the service does not know, unless configured to carry on without privileges", async () => {
    const server = await serve((_request, response) => json(response, 404, { error: "unknown" }));
    expect((await refused(login(await restFixture(server)))).reason).toBe("attribute_service_unknown_user");
    const lenient = await login(await restFixture(server, { service: { unknownUser: "no-privileges" } }));
    expect(released(lenient).list.groups).toEqual([]);
  });

  it("does not ask the service for a fagsystem that needs no privileges", async () => {
    const server = await serve((_request, response) => json(response, 500, {}));
    const context = await login(await restFixture(server, { sp: { needsPrivileges: false } }));
    expect(released(context).list.groups).toEqual([]);
    expect(server.requests).toHaveLength(0);
  });

  it("fails closed when the API key's environment variable is missing, or the service is unreachable", async () => {
    const server = await serve(rollekatalog([]));
    const missing = await restFixture(server, { service: { apiKey: { env: "TEST_ROLLER_KEY_NOT_SET" } } });
    const error = await refused(login(missing));
    expect(error.reason).toBe("attribute_service_misconfigured");
    expect(error.message).toContain("TEST_ROLLER_KEY_NOT_SET");
    const url = server.url;
    await server.close();
    const down = await restFixture({ ...server, url });
    expect((await refused(login(down))).reason).toBe("attribute_service_unreachable");
  });
});

describe("SAML AttributeQuery attribute service", () => {
  const SERVICE_ENTITY_ID = "https://attributter.kommune.test";

  async function samlFixture(handler: (query: ReturnType<typeof readQuery>, brokerCert: string) => string, privilegeSource: Record<string, unknown> = {}) {
    const authority = await testKey("attribute-authority");
    let brokerCert = "";
    const server = await serve((request, response) => {
      response.setHeader("content-type", "text/xml");
      response.end(handler(readQuery(request.body, brokerCert), brokerCert));
    });
    const base = await createBrokerFixture();
    const metadata = join(base.dir, "attribute-authority.xml");
    writeFileSync(metadata, attributeAuthorityMetadata(SERVICE_ENTITY_ID, `${server.url}/soap`, authority));
    const fixture = await createBrokerFixture({
      store: new MemoryStore(),
      config: { attributeServices: [{ id: "attributter", kind: "attribute-query", displayName: "Test Kommunes attributservice", metadata, cacheSeconds: 0, retries: 0 }] },
      idp: { privilegeSource: { from: "attribute-service", attributeService: "attributter", userIdentifier: "nameId", ...privilegeSource } },
      sp: { roleMappings: ROLE_MAPPINGS },
    });
    brokerCert = fixture.keys.brokerSigning.certificatePem;
    return { fixture, server, authority };
  }

  it("sends a signed query for the user's NameID and releases the privileges of the verified answer", async () => {
    const queries: Array<ReturnType<typeof readQuery>> = [];
    const { fixture, server, authority } = await samlFixture((query) => {
      queries.push(query);
      return authorityAnswer(SERVICE_ENTITY_ID, authorityKey, "https://saml.broker.test", query, { privileges: bppBase64(privilegeGroups(MUNICIPALITY_CVR, [{ role: JOB_MANAGER }])) });
    });
    const authorityKey = authority;
    const context = await login(fixture);
    expect(grantedRoles(context)).toEqual([`${USR_APPROVE} @${MUNICIPALITY_CVR}`]);
    expect(queries).toHaveLength(1);
    expect(queries[0]!.nameId).toBe(NAME_ID);
    expect(queries[0]!.nameIdFormat).toBe(NAMEID_FORMAT.x509SubjectName);
    expect(queries[0]!.issuer).toBe("https://saml.broker.test");
    expect(queries[0]!.attributes.map((a) => a.name)).toEqual([OIOSAML3.privilegesIntermediate]);
    expect(server.requests[0]!.headers["soapaction"]).toBe('"http://www.oasis-open.org/committees/security"');
  });

  it("refuses an answer signed with a key that is not in the service's metadata", async () => {
    const attacker = await testKey("attacker");
    const { fixture } = await samlFixture((query) => authorityAnswer(SERVICE_ENTITY_ID, attacker, "https://saml.broker.test", query, { privileges: bppBase64(privilegeGroups(MUNICIPALITY_CVR, [{ role: JOB_MANAGER }])) }));
    const error = await refused(login(fixture));
    expect(error.reason).toBe("attribute_service_untrusted");
    expect(error.message).toContain("signature_invalid");
  });

  it("refuses an unsigned assertion, one about another subject, another query or another audience", async () => {
    const cases: Array<[Parameters<typeof authorityAnswer>[4], string]> = [
      [{ signWith: null }, "attribute_service_untrusted"],
      [{ nameId: `C=DK,O=${MUNICIPALITY_CVR},CN=Bo,Serial=bo` }, "attribute_service_wrong_subject"],
      [{ inResponseTo: "_another-query" }, "attribute_service_untrusted"],
      [{ audience: "https://saml.someone-else.test" }, "attribute_service_untrusted"],
      [{ issuer: "https://impostor.test" }, "attribute_service_untrusted"],
      [{ notOnOrAfter: Date.now() - 3_600_000 }, "attribute_service_untrusted"],
    ];
    for (const [answer, reason] of cases) {
      const holder: { key?: Awaited<ReturnType<typeof testKey>> } = {};
      const { fixture, authority } = await samlFixture((query) => authorityAnswer(SERVICE_ENTITY_ID, holder.key!, "https://saml.broker.test", query, { privileges: bppBase64([]), ...answer }));
      holder.key = authority;
      expect((await refused(login(fixture))).reason, JSON.stringify(answer)).toBe(reason);
    }
  });

  it("treats UnknownPrincipal as a user the service does not know", async () => {
    const { fixture } = await samlFixture((query) =>
      authorityAnswer(SERVICE_ENTITY_ID, undefined as never, "https://saml.broker.test", query, { status: STATUS.responder, subStatus: "urn:oasis:names:tc:SAML:2.0:status:UnknownPrincipal" }),
    );
    expect((await refused(login(fixture))).reason).toBe("attribute_service_unknown_user");
  });

  it("asks by the configured identifier and passes IdP claims along as attributes", async () => {
    const queries: Array<ReturnType<typeof readQuery>> = [];
    const holder: { key?: Awaited<ReturnType<typeof testKey>> } = {};
    const { fixture, authority } = await samlFixture(
      (query) => {
        queries.push(query);
        return authorityAnswer(SERVICE_ENTITY_ID, holder.key!, "https://saml.broker.test", query, { privileges: bppBase64([]) });
      },
      { userIdentifier: "uuid", forwardClaims: [{ attribute: GROUPS_CLAIM, parameter: "group" }] },
    );
    holder.key = authority;
    await login(fixture, upstream([...defaultAttributes({ [OIOSAML3.privilegesIntermediate]: undefined }), { name: GROUPS_CLAIM, values: ["g1"] }]));
    expect(queries[0]!.nameId).toBe("8c1d7e5e-3f0a-4b8e-9c51-0d2a7e4b6f11");
    expect(queries[0]!.nameIdFormat).toBe(NAMEID_FORMAT.unspecified);
    expect(queries[0]!.attributes).toEqual([{ name: OIOSAML3.privilegesIntermediate, values: [] }, { name: GROUPS_CLAIM, values: ["g1"] }]);
  });
});
