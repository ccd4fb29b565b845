/**
 * The policy steps of the login pipeline, each run on its own (no SAML):
 * federation, robots, levels, the privilege scope rule and the explanation,
 * one table each.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBrokerFixture, IDP_ENTITY_ID, MUNICIPALITY_CVR, SP_ACS_URL, SP_ENTITY_ID, type BrokerFixture } from "./support/broker-fixture.js";
import { samlDownstream } from "../src/frontends/saml-idp/saml-reply.js";
import { runSteps } from "../src/login/run-steps.js";
import { wireLogin } from "../src/http/wire-login.js";
import { samlUpstreamResult } from "./support/upstream-results.js";
import type { NamedStep } from "../src/login/pipeline-types.js";
import type { LoginRequest } from "../src/model/login-request.js";
import type { RawAttribute, UpstreamResult } from "../src/model/upstream-result.js";
import { LoginError } from "../src/model/login-error.js";
import { mapIdentity } from "../src/login/steps/map-identity.js";
import { checkOrganisation } from "../src/login/steps/check-organisation.js";
import { checkRobot } from "../src/login/steps/check-robot.js";
import { assessLevel } from "../src/login/steps/assess-level.js";
import { verifyLevel } from "../src/login/steps/verify-level.js";
import { decodePrivileges } from "../src/login/steps/decode-privileges.js";
import { checkPrivilegeScope } from "../src/login/steps/check-privilege-scope.js";
import { translatePrivileges } from "../src/login/steps/translate-privileges.js";
import { explainPrivileges } from "../src/login/steps/explain-privileges.js";
import { OIOSAML3 } from "../src/profiles/oiosaml3-attributes.js";
import { BPP_NAMESPACES, cvrScope } from "../src/profiles/bpp.js";
import { encodePrivilegesAttribute } from "../src/profiles/bpp-codec.js";
import type { LevelRequirement, ReachedLevel } from "../src/profiles/levels.js";
import { findExplanations } from "../src/cli/explain-privileges.js";

const OTHER = "12345678";
const OWNER = "11223344";
const ROLE = { own: "http://k.test/roles/jobrole/own/1", delegated: "http://owner.test/roles/jobrole/delegated/1", kept: "http://owner.test/roles/jobrole/kept/1" };
const USR = "http://f.test/roles/usersystemrole/any/1";
/** How the test IdP recognises its robots (its registration below, and so its backend). */
const ROBOT = { nameIdPattern: ",CN=RPA " };

function upstream(attributes: RawAttribute[], level: ReachedLevel = { nsis: "Substantial" }, nameId = `C=DK,O=${MUNICIPALITY_CVR},CN=Anna,Serial=1`): UpstreamResult {
  return samlUpstreamResult({
    upstreamId: "test-kommune",
    issuer: IDP_ENTITY_ID,
    nameId,
    nameIdFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName",
    attributes,
    level,
    authnInstant: new Date().toISOString(),
    assertionId: `_a${Math.random().toString(16).slice(2)}`,
    robot: ROBOT,
  });
}

function request(requiredLevel: LevelRequirement = { kind: "none" }): LoginRequest {
  return {
    correlationId: `c-${Math.random().toString(16).slice(2)}`,
    downstream: samlDownstream({ spId: "test-fagsystem", spEntityId: SP_ENTITY_ID, requestId: "_r1", acsUrl: SP_ACS_URL, relayState: undefined }),
    requiredLevel,
    forceAuthn: false,
    isPassive: false,
    municipalityHint: undefined,
    createdAt: Date.now(),
  };
}

async function run(fixture: BrokerFixture, steps: NamedStep[], result: UpstreamResult, required: LevelRequirement = { kind: "none" }) {
  return runSteps({ broker: fixture.broker, ports: wireLogin(fixture.broker).ports, request: request(required), upstreams: [result], identity: undefined }, steps);
}

async function refusal(promise: Promise<unknown>): Promise<LoginError | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (error instanceof LoginError) return error;
    throw error;
  }
}

const attrs = (overrides: Record<string, string | undefined> = {}): RawAttribute[] =>
  Object.entries({ [OIOSAML3.cvr]: MUNICIPALITY_CVR, [OIOSAML3.loa]: "Substantial", ...overrides })
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => ({ name, values: [value] }));

let fixture: BrokerFixture;
let auditFile: string;
beforeAll(async () => {
  auditFile = join(mkdtempSync(join(tmpdir(), "broker-steps-")), "audit.jsonl");
  fixture = await createBrokerFixture({
    idp: { cvrs: [MUNICIPALITY_CVR, OTHER], maxLevel: { nist: 3, nsis: "Substantial" }, robot: ROBOT },
    sp: { roleMappings: [ROLE.own, ROLE.delegated, ROLE.kept].map((jobFunctionRole) => ({ jobFunctionRole, userSystemRole: USR })) },
    config: {
      jobFunctionRoles: [
        { id: ROLE.delegated, owner: OWNER, delegatedTo: [MUNICIPALITY_CVR] },
        { id: ROLE.kept, owner: OWNER, delegatedTo: [] },
      ],
      audit: { file: auditFile },
    },
  });
});

describe("step check-organisation (federation)", () => {
  const table: Array<[string, string | undefined, "allowed" | "refused"]> = [
    ["the IdP's first CVR", MUNICIPALITY_CVR, "allowed"],
    ["another CVR the IdP is registered for", OTHER, "allowed"],
    ["no CVR attribute (the IdP's own CVR is taken)", undefined, "allowed"],
    ["a CVR the IdP is not registered for", "99999999", "refused"],
    ["the delegating owner's CVR (delegation is for roles, not logins)", OWNER, "refused"],
  ];
  it.each(table)("%s → %s", async (_name, cvr, expected) => {
    const error = await refusal(run(fixture, [{ name: "map-identity", run: mapIdentity }, { name: "check-organisation", run: checkOrganisation }], upstream(attrs({ [OIOSAML3.cvr]: cvr }))));
    if (expected === "allowed") expect(error).toBeUndefined();
    else {
      expect(error?.reason).toBe("cvr_not_allowed");
      expect(error?.refusal).toBe("denied");
      expect(error?.message).toBe(`IdP test-kommune is not allowed to issue tokens for context ${cvr}`);
    }
  });
});

describe("steps check-robot, assess-level and verify-level", () => {
  const steps: NamedStep[] = [
    { name: "map-identity", run: mapIdentity },
    { name: "check-robot", run: checkRobot },
    { name: "assess-level", run: assessLevel },
    { name: "verify-level", run: verifyLevel },
  ];
  const person = `C=DK,O=${MUNICIPALITY_CVR},CN=Anna,Serial=1`;
  const robot = `C=DK,O=${MUNICIPALITY_CVR},CN=RPA Bot,Serial=2`;
  const table: Array<[string, string, ReachedLevel, LevelRequirement, string | undefined]> = [
    ["person, Substantial, requirement Substantial", person, { nsis: "Substantial" }, { kind: "nsis", minimum: "Substantial" }, undefined],
    ["person, High capped to the IdP's Substantial, requirement High", person, { nsis: "High" }, { kind: "nsis", minimum: "High" }, "level_too_low"],
    ["person, NIST 4 capped to the IdP's 3, requirement NIST 4", person, { nist: 4 }, { kind: "nist", minimum: 4 }, "level_too_low"],
    ["person, NIST 3, requirement NSIS Low", person, { nist: 3 }, { kind: "nsis", minimum: "Low" }, "level_too_low"],
    ["person, Substantial, requirement NIST 3", person, { nsis: "Substantial" }, { kind: "nist", minimum: 3 }, undefined],
    ["robot, NIST 3, requirement NIST 3", robot, { nist: 3 }, { kind: "nist", minimum: 3 }, undefined],
    ["robot, NIST 3, requirement NSIS Low", robot, { nist: 3 }, { kind: "nsis", minimum: "Low" }, "robot_not_allowed"],
    ["robot, NIST 2, no requirement", robot, { nist: 2 }, { kind: "none" }, undefined],
    ["robot, NIST 2, requirement NIST 3", robot, { nist: 2 }, { kind: "nist", minimum: 3 }, "level_too_low"],
  ];
  it.each(table)("%s → %s", async (_name, nameId, level, required, reason) => {
    const error = await refusal(run(fixture, steps, upstream(attrs({ [OIOSAML3.loa]: undefined }), level, nameId), required));
    expect(error?.reason).toBe(reason);
    if (reason) expect(error?.refusal).toBe("level_not_met");
  });
});

describe("step check-privilege-scope (the scope rule)", () => {
  const steps: NamedStep[] = [
    { name: "map-identity", run: mapIdentity },
    { name: "decode-privileges", run: decodePrivileges },
    { name: "check-privilege-scope", run: checkPrivilegeScope },
  ];
  const table: Array<[string, string, string, "kept" | "kept (delegated)" | "dropped"]> = [
    ["own role, own scope", ROLE.own, MUNICIPALITY_CVR, "kept"],
    ["own role, another municipality's scope", ROLE.own, OWNER, "dropped"],
    ["delegated role, its owner's scope", ROLE.delegated, OWNER, "kept (delegated)"],
    ["delegated role, the asserted scope", ROLE.delegated, MUNICIPALITY_CVR, "dropped"],
    ["registered role not delegated here, its owner's scope", ROLE.kept, OWNER, "dropped"],
    ["delegated role, a third scope", ROLE.delegated, "55667788", "dropped"],
  ];
  it.each(table)("%s → %s", async (_name, role, scope, expected) => {
    const privileges = encodePrivilegesAttribute({ namespace: BPP_NAMESPACES.itst, groups: [{ scope: cvrScope(scope), privileges: [role], constraints: [] }] });
    const context = await run(fixture, steps, upstream(attrs({ [OIOSAML3.privilegesIntermediate]: privileges })));
    const state = context.identity!.privileges;
    if (state.stage !== "scoped") throw new Error(`stage ${state.stage}`);
    if (expected === "dropped") {
      expect(state.roles).toEqual([]);
      expect(state.outcomes).toEqual([expect.objectContaining({ outcome: "dropped", reason: "foreign_scope", privilege: role })]);
    } else {
      expect(state.roles.map((r) => [r.privilege, r.delegated])).toEqual([[role, expected === "kept (delegated)"]]);
      expect(state.outcomes).toEqual([]);
    }
  });
});

describe("step explain-privileges (the explanation of every login)", () => {
  const steps: NamedStep[] = [
    { name: "map-identity", run: mapIdentity },
    { name: "decode-privileges", run: decodePrivileges },
    { name: "check-privilege-scope", run: checkPrivilegeScope },
    { name: "translate-privileges", run: translatePrivileges },
    { name: "explain-privileges", run: explainPrivileges },
  ];
  it("records, per incoming role, what it became or why it was dropped", async () => {
    const sent = Buffer.from(
      `<bpp:PrivilegeList xmlns:bpp="${BPP_NAMESPACES.itst}">` +
        `<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:${MUNICIPALITY_CVR}"><Privilege>${ROLE.own}</Privilege></PrivilegeGroup>` +
        `<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:${MUNICIPALITY_CVR}"><Privilege>http://k.test/roles/jobrole/unmapped/1</Privilege></PrivilegeGroup>` +
        `<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:${OWNER}"><Privilege>${ROLE.kept}</Privilege></PrivilegeGroup>` +
        `<PrivilegeGroup Scope="not a scope"><Privilege>${ROLE.own}</Privilege></PrivilegeGroup>` +
        `<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:${OWNER}"><Privilege>${ROLE.delegated}</Privilege></PrivilegeGroup>` +
        "</bpp:PrivilegeList>",
    ).toString("base64");
    const context = await run(fixture, steps, upstream(attrs({ [OIOSAML3.privilegesIntermediate]: sent })));
    const records = findExplanations(readFileSync(auditFile, "utf8"), context.request.correlationId);
    expect(records).toHaveLength(1);
    const table = records[0]!.outcomes.map((o) => [o.position, o.outcome, o.outcome === "dropped" ? o.reason : o.became.map((g) => g.userSystemRole).join()]);
    expect(table).toEqual([
      [1, "translated", USR],
      [2, "dropped", "no_mapping"],
      [3, "dropped", "foreign_scope"],
      [4, "dropped", "malformed"],
      [5, "translated", USR],
    ]);
    expect(records[0]).toMatchObject({ sp: "test-fagsystem", idp: "test-kommune", cvr: MUNICIPALITY_CVR, subject: "person", released: 2 });
    await new Promise((resolve) => setImmediate(resolve));
    const logged = fixture.logs.find((l) => l["event"] === "privileges_explained" && l.correlationId === context.request.correlationId);
    expect(logged).toMatchObject({ audit: true, counts: { translated: 2, passedThrough: 0, dropped: 3 } });
  });

  it("records a login with no roles too", async () => {
    const context = await run(fixture, steps, upstream(attrs()));
    const records = findExplanations(readFileSync(auditFile, "utf8"), context.request.correlationId);
    expect(records).toHaveLength(1);
    expect(records[0]!.outcomes).toEqual([]);
    expect(records[0]!.released).toBe(0);
  });
});
