/**
 * The audit record of one finished login, answered or refused (LoginRecord in
 * observability/audit.ts), built from what the login knew when it ended.
 */
import { auditTrail } from "../observability/audit.js";
import type { BrokerContext } from "../broker-context.js";
import type { Identity, Person } from "../model/identity.js";
import type { LoginRequest } from "../model/login-request.js";
import type { UpstreamResult } from "../model/upstream-result.js";

export interface FinishedLogin {
  broker: BrokerContext;
  request: LoginRequest;
  entry: string;
  /** The upstreams' verified answers so far. */
  upstreams: readonly UpstreamResult[];
  /** The municipality's IdP, when known without an answer (chosen, then refused). */
  idpId?: string | undefined;
  /** The mapped identity (answered logins, and refusals after mapping). */
  identity?: Identity | undefined;
  refusal?: { reason: string; detail: string } | undefined;
}

function personId(person: Person | undefined): string | undefined {
  return person ? (person.uuid ?? person.rid ?? person.nameId) : undefined;
}

export async function recordLogin(login: FinishedLogin): Promise<void> {
  const { request, identity, upstreams } = login;
  const municipal = upstreams.find((u) => u.kind === "municipal-idp");
  const claimed = municipal?.claims.readable ? municipal.claims.identity : undefined;
  const sessionEvidence = identity?.evidence.map((e) => ({ upstream: e.upstreamId, issuer: e.issuer, assertionId: e.assertionId, authnInstant: e.authnInstant }));
  await auditTrail(login.broker).recordLogin({
    correlationId: request.correlationId,
    outcome: login.refusal ? "refused" : "succeeded",
    entry: login.entry,
    sp: request.downstream.partyId,
    idp: municipal?.upstreamId ?? login.idpId,
    cvr: identity?.organisation.cvr ?? claimed?.cvr,
    personId: personId(identity?.person ?? claimed?.person),
    levelAsked: request.requiredLevel,
    loginLevel: identity?.level,
    privilegesReleased: identity?.privileges.stage === "translated" ? identity.privileges.list.groups.length : 0,
    evidence: sessionEvidence ?? upstreams.map((u) => ({ upstream: u.upstreamId, issuer: u.issuer, assertionId: u.assertionId, authnInstant: u.authnInstant })),
    ...(login.refusal ? { reason: login.refusal.reason, detail: login.refusal.detail } : {}),
  });
}
