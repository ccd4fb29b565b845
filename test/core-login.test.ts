/**
 * The login core on its own: a fake frontend and a fake upstream, no SAML,
 * no XML, no HTTP. The same table (src/login/login-flow.ts) that serves
 * SAML logins takes a neutral request, sends the person "upstream",
 * receives a neutral result, and hands the frontend an Identity, or a
 * neutral refusal.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createBrokerFixture, MUNICIPALITY_CVR, type BrokerFixture } from "./support/broker-fixture.js";
import { LoginService } from "../src/login/login-service.js";
import { LoginStateRepository, newId } from "../src/login/login-state.js";
import type { Frontend, FurtherUpstream, LoginPorts, MunicipalUpstream, ReceivedAnswer } from "../src/login/ports.js";
import { UpstreamFailure } from "../src/login/ports.js";
import type { Identity } from "../src/model/identity.js";
import type { LoginError } from "../src/model/login-error.js";
import type { LoginRequest } from "../src/model/login-request.js";
import type { UpstreamClaims, UpstreamResult } from "../src/model/upstream-result.js";
import type { LevelRequirement, ReachedLevel } from "../src/profiles/levels.js";
import { encodePrivilegesAttribute } from "../src/profiles/bpp-codec.js";
import { BPP_NAMESPACES, cvrScope } from "../src/profiles/bpp.js";
import { JOB_ROLE, USER_SYSTEM_ROLE } from "./support/uris.js";


/** A frontend that records what the core handed it instead of encoding a protocol answer. */
class RecordingFrontend implements Frontend {
  readonly identities: Identity[] = [];
  readonly refusals: LoginError[] = [];
  answer(_request: LoginRequest, identity: Identity) {
    this.identities.push(identity);
    return Promise.resolve({ interaction: { kind: "redirect" as const, url: "https://fake-party.test/answer" }, participant: undefined });
  }
  refuse(_request: LoginRequest, error: LoginError) {
    this.refusals.push(error);
    return { kind: "redirect" as const, url: `https://fake-party.test/refused?reason=${error.reason}` };
  }
}

/** An upstream that keeps the login waiting in the core's own state repository and "answers" when told to. */
class FakeUpstream implements MunicipalUpstream, FurtherUpstream {
  readonly started: string[] = [];
  constructor(private readonly states: LoginStateRepository, private readonly kind: UpstreamResult["kind"]) {}
  async start(target: { id: string } | string, request: LoginRequest, completed: UpstreamResult[]) {
    const upstreamRequestId = newId();
    const upstreamId = typeof target === "string" ? "nemlogin" : target.id;
    await this.states.saveAwaiting({ request, upstreamId, upstreamKind: this.kind, upstreamRequestId, completed });
    this.started.push(upstreamRequestId);
    return { interaction: { kind: "redirect" as const, url: `https://fake-idp.test/login?id=${upstreamRequestId}` }, upstreamRequestId };
  }
}

function claims(overrides: Partial<Extract<UpstreamClaims, { readable: true }>["identity"]> = {}): UpstreamClaims {
  const privileges = encodePrivilegesAttribute({ namespace: BPP_NAMESPACES.itst, groups: [{ scope: cvrScope(MUNICIPALITY_CVR), privileges: [JOB_ROLE.caseworker], constraints: [] }] });
  return {
    readable: true,
    identity: {
      person: { nameId: "anna", nameIdFormat: undefined, uuid: "6a7f5d2e-3c1b-4f2a-9e8d-0b1c2d3e4f5a", rid: undefined, cpr: undefined, firstName: "Anna", lastName: "Andersen", fullName: "Anna Andersen", email: "anna@kommune.test" },
      cvr: MUNICIPALITY_CVR,
      subject: "person",
      privileges: { sent: "oio-bpp", encoded: privileges },
      ...overrides,
    },
  };
}

function result(level: ReachedLevel, id: string, kind: UpstreamResult["kind"] = "municipal-idp"): UpstreamResult {
  return { kind, upstreamId: kind === "nemlogin" ? "nemlogin" : "test-kommune", issuer: "fake-idp", nameId: "anna", nameIdFormat: undefined, claims: claims(), attributes: [], level, authnInstant: new Date().toISOString(), sessionIndex: undefined, assertionId: id };
}

let fixture: BrokerFixture;
beforeAll(async () => {
  fixture = await createBrokerFixture({
    sp: { requiredLevel: { nsis: "Substantial" }, roleMappings: [{ jobFunctionRole: JOB_ROLE.caseworker, userSystemRole: USER_SYSTEM_ROLE.caseHandling }] },
    idp: { sendsJobFunctionRoles: true, maxLevel: { nist: 3, nsis: "High" } },
  });
});

function core(): { logins: LoginService; frontend: RecordingFrontend; upstream: FakeUpstream; states: LoginStateRepository } {
  const states = new LoginStateRepository(fixture.broker.store, 60, fixture.broker.cookieSecret);
  const frontend = new RecordingFrontend();
  const upstream = new FakeUpstream(states, "municipal-idp");
  const ports: LoginPorts = {
    frontends: { fake: frontend },
    municipalUpstream: () => upstream,
    furtherUpstreams: {},
    privileges: { service: () => undefined },
  };
  return { logins: new LoginService(fixture.broker, ports, states), frontend, upstream, states };
}

function loginRequest(requiredLevel: LevelRequirement): LoginRequest {
  return {
    correlationId: newId("c"),
    downstream: { frontend: "fake", partyId: "test-fagsystem", reply: { answerTo: "https://fake-party.test/answer" } },
    requiredLevel,
    forceAuthn: false,
    isPassive: false,
    municipalityHint: MUNICIPALITY_CVR,
    createdAt: Date.now(),
  };
}

async function answered(states: LoginStateRepository, upstreamRequestId: string, upstreamResult: UpstreamResult): Promise<ReceivedAnswer> {
  const state = await states.takeAwaiting(upstreamRequestId);
  if (!state) throw new Error("no login waiting");
  return { state, result: upstreamResult };
}

describe("the login core with a fake frontend and a fake upstream (no SAML)", () => {
  it("goes upstream for the hinted municipality and hands the frontend a complete Identity", async () => {
    const { logins, frontend, upstream, states } = core();
    const begun = await logins.begin(loginRequest({ kind: "nsis", minimum: "Substantial" }), undefined);
    expect(begun.interaction).toMatchObject({ kind: "redirect", url: expect.stringContaining("https://fake-idp.test/login") });
    expect(begun.chosenIdp?.id).toBe("test-kommune");
    const id = upstream.started[0]!;
    const done = await logins.complete(() => answered(states, id, result({ nsis: "Substantial" }, "_fake1")));
    expect(done.interaction).toEqual({ kind: "redirect", url: "https://fake-party.test/answer" });
    const identity = frontend.identities[0]!;
    expect(identity.person.fullName).toBe("Anna Andersen");
    expect(identity.organisation).toEqual({ cvr: MUNICIPALITY_CVR, name: "Test Kommune" });
    expect(identity.level).toEqual({ nsis: "Substantial" });
    expect(identity.evidence.map((e) => e.assertionId)).toEqual(["_fake1"]);
    // Privileges went through the same decode, scope and translation steps as any login.
    expect(identity.privileges.stage).toBe("translated");
    if (identity.privileges.stage === "translated") expect(identity.privileges.list.groups.flatMap((g) => g.privileges)).toEqual([USER_SYSTEM_ROLE.caseHandling]);
  });

  it("refuses through the frontend, in neutral terms, when the level proved is short", async () => {
    const { logins, frontend, upstream, states } = core();
    await logins.begin(loginRequest({ kind: "nsis", minimum: "High" }), undefined);
    await logins.complete(() => answered(states, upstream.started[0]!, result({ nsis: "Substantial" }, "_fake2")));
    expect(frontend.identities).toHaveLength(0);
    expect(frontend.refusals.map((e) => [e.reason, e.refusal])).toEqual([["level_too_low", "level_not_met"]]);
  });

  it("tells the party when the upstream's answer could not be used", async () => {
    const { logins, frontend, upstream, states } = core();
    await logins.begin(loginRequest({ kind: "none" }), undefined);
    const state = await states.takeAwaiting(upstream.started[0]!);
    await logins.complete(() => Promise.reject(new UpstreamFailure(state!, "signature_invalid", "the answer's signature did not verify")));
    expect(frontend.refusals.map((e) => [e.reason, e.refusal])).toEqual([["signature_invalid", "authentication_failed"]]);
  });

  it("answers a second party from the SSO session without going upstream", async () => {
    const { logins, frontend, upstream, states } = core();
    await logins.begin(loginRequest({ kind: "none" }), undefined);
    const done = await logins.complete(() => answered(states, upstream.started[0]!, result({ nsis: "Substantial" }, "_fake3")));
    expect(done.ssoSessionId).toBeDefined();
    const again = await logins.begin(loginRequest({ kind: "none" }), undefined, done.ssoSessionId);
    expect(again.interaction).toEqual({ kind: "redirect", url: "https://fake-party.test/answer" });
    expect(upstream.started).toHaveLength(1);
    expect(frontend.identities).toHaveLength(2);
  });
});
