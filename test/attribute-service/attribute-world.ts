/**
 * The attribute-service world shared by its tests: the login steps of a
 * broker built from configuration, run for an upstream result without
 * privileges, against services on loopback ports started per test.
 */
import { afterAll, afterEach, beforeAll } from "vitest";
import { createBrokerFixture, IDP_ENTITY_ID, MUNICIPALITY_CVR, SP_ACS_URL, SP_ENTITY_ID, type BrokerFixture } from "../support/broker-fixture.js";
import { defaultAttributes } from "../support/saml-peers.js";
import { bppBase64, json, privilegeGroups, startServer, type Handler, type TestServer } from "../support/attribute-services.js";
import { CONSTRAINT, JOB_ROLE, USER_SYSTEM_ROLE } from "../support/uris.js";
import { samlDownstream } from "../../src/frontends/saml-idp/saml-reply.js";
import { runSteps } from "../../src/login/run-steps.js";
import { wireLogin } from "../../src/http/wire-login.js";
import { samlUpstreamResult } from "../support/upstream-results.js";
import { LoginError } from "../../src/model/login-error.js";
import type { LoginContext } from "../../src/login/pipeline-types.js";
import type { UpstreamResult } from "../../src/model/upstream-result.js";
import type { PrivilegeList } from "../../src/profiles/bpp.js";
import type { RoleOutcome } from "../../src/profiles/role-translation.js";
import { NAMEID_FORMAT } from "../../src/saml/namespaces.js";
import { OIOSAML3 } from "../../src/profiles/oiosaml3-attributes.js";
import { MemoryStore } from "../../src/store/memory-store.js";

export const API_KEY_ENV = "TEST_ROLLER_API_KEY";
export const API_KEY = "k3y-for-tests-only";
export const FOREIGN_CVR = "11223344";
export const GROUPS_CLAIM = "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups";
export const NAME_ID = `C=DK,O=${MUNICIPALITY_CVR},CN=Anna Andersen,Serial=anna`;
export const SYSTEM_ID = "sager-system";

export const ROLE_MAPPINGS = [
  { jobFunctionRole: JOB_ROLE.caseworker, userSystemRole: USER_SYSTEM_ROLE.caseHandling, restrictions: [{ type: CONSTRAINT.kle, parametric: CONSTRAINT.kleParametric }] },
  { jobFunctionRole: JOB_ROLE.manager, userSystemRole: USER_SYSTEM_ROLE.approval },
];

let counter = 0;

export function upstream(attributes = defaultAttributes({ [OIOSAML3.privilegesIntermediate]: undefined }), nameId = NAME_ID): UpstreamResult {
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

export function login(fixture: BrokerFixture, result: UpstreamResult = upstream()): Promise<LoginContext> {
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

export function released(context: LoginContext): { list: PrivilegeList; outcomes: RoleOutcome[] } {
  const privileges = context.identity!.privileges;
  if (privileges.stage !== "translated") throw new Error(`privileges at stage ${privileges.stage}`);
  return { list: privileges.list, outcomes: privileges.outcomes };
}

export function grantedRoles(context: LoginContext): string[] {
  return released(context).list.groups.map((g) => `${g.privileges.join(" ")} @${g.scope.kind === "cvr" ? g.scope.cvr : "?"}${g.constraints.map((c) => ` ${c.name}=${c.values.join("|")}`).join("")}`);
}

export async function refused(promise: Promise<unknown>): Promise<LoginError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LoginError) return error;
    throw error;
  }
  throw new Error("the login was not refused");
}

export interface Setup {
  service?: Record<string, unknown>;
  privilegeSource?: Record<string, unknown>;
  sp?: Record<string, unknown>;
}

export async function restFixture(server: TestServer, setup: Setup = {}): Promise<BrokerFixture> {
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
export async function serve(handler: Handler): Promise<TestServer> {
  const server = await startServer(handler);
  servers.push(server);
  return server;
}

/** Sets the REST service's API key for the file, and stops each test's servers after it. */
export function useAttributeServices(): void {
  beforeAll(() => {
    process.env[API_KEY_ENV] = API_KEY;
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  afterAll(() => {
    delete process.env[API_KEY_ENV];
  });
}

/** An OS2rollekatalog-shaped service holding Anna's job-function roles. */
export function rollekatalog(roles: Parameters<typeof privilegeGroups>[1], nameId = NAME_ID): Handler {
  return (request, response) => {
    const url = new URL(request.url, "http://x");
    if (request.headers["apikey"] !== API_KEY) return json(response, 401, { error: "bad key" });
    if (url.pathname !== "/api/user/anna/roles") return json(response, 404, { error: "no such user" });
    json(response, 200, { nameID: nameId, oioBPP: bppBase64(privilegeGroups(MUNICIPALITY_CVR, roles)), roleMap: {} });
  };
}
