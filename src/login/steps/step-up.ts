/**
 * Step-up: a login is a sequence of upstream authentications. When the level
 * the municipal IdP proved falls short of what the fagsystem requires, and the
 * IdP is registered for step-up and NemLog-in is configured, the login needs
 * one more upstream step: MitID Erhverv through NemLog-in, at the NSIS level
 * that meets the requirement. When NemLog-in has answered, the steps run again
 * on both results and this step binds them:
 *
 * - NemLog-in's CVR must be the municipal login's CVR, and the configured key
 *   (professional UUID, RID or CPR) must be present on both sides and equal;
 * - the merged identity keeps person, organisation and privileges from the
 *   municipal step and takes the NSIS level from NemLog-in;
 * - bound or refused, the audit trail records both assertion ids.
 *
 * A mismatch refuses the login. It never merges two different people.
 */
import type { LoginContext, LoginStep, UpstreamNeeded } from "../pipeline-types.js";
import type { LoginRequest } from "../../model/login-request.js";
import type { UpstreamResult } from "../../model/upstream-result.js";
import type { IdentityProvider } from "../../trust/registry.js";
import { LoginError, type Refusal } from "../../model/login-error.js";
import { describeLevel, describeRequirement, lowestNsisProving, nsisRank, satisfies, type LevelRequirement, type NistFromNsisTable, type NsisLevel, type ReachedLevel } from "../../profiles/levels.js";
import { checkSamePerson, type NemLogInIdentity } from "../../profiles/nemlogin-profile.js";
import { levelTableOf } from "../../config/level-table.js";
import { auditTrail, AuditUnavailableError } from "../../observability/audit.js";
import type { BrokerContext } from "../../broker-context.js";
import { mappedIdentity, municipalUpstream } from "./municipal-upstream.js";

const MESSAGES = {
  step_up_other_person:
    "MitID-loginet tilhører ikke den person, der loggede ind hos kommunen. Log ind igen med din egen MitID Erhverv. / The MitID login does not belong to the person who logged in at the municipality. Log in again with your own MitID Erhverv.",
  step_up_other_organisation:
    "MitID Erhverv-identiteten hører til en anden organisation end den, du loggede ind for hos kommunen. / The MitID Erhverv identity belongs to another organisation than the one you logged in for at the municipality.",
  step_up_binding_missing:
    "Kommunens login og MitID-loginet kunne ikke kobles til samme person. Kontakt din kommunes it-afdeling. / The municipal login and the MitID login could not be tied to the same person. Contact your municipality's IT department.",
  step_up_level_too_low:
    "MitID-loginet nåede ikke det sikringsniveau, systemet kræver. / The MitID login did not reach the assurance level the system requires.",
  nemlogin_unusable:
    "Svaret fra NemLog-in kunne ikke bruges. / The answer from NemLog-in could not be used.",
} as const;

const AUDIT_UNAVAILABLE = "Loginet kunne ikke registreres, så det blev ikke gennemført. Prøv igen senere. / The login could not be recorded, so it was not completed. Please try again later.";

/** The NSIS level a step-up must reach for this requirement, or undefined when no NSIS level meets it. */
export function stepUpLevelFor(required: LevelRequirement, table: Readonly<NistFromNsisTable>): NsisLevel | undefined {
  switch (required.kind) {
    case "none":
      return undefined;
    case "nsis":
      return required.minimum;
    case "nist":
      return lowestNsisProving(required.minimum, table);
  }
}

/** Why this login cannot be stepped up, or undefined when it can. */
function stepUpImpossible(context: LoginContext, idp: IdentityProvider): string | undefined {
  if (!idp.policy.stepUp) return `IdP ${idp.id} is not registered for step-up`;
  if (!context.broker.registry.nemLogIn()) return "NemLog-in is not configured";
  if (mappedIdentity(context).subject !== "person") return "robots cannot step up with MitID";
  return undefined;
}

/** NemLog-in's claims as the binding check reads them (its backend has already checked they are complete). */
function steppedIdentity(nemlogin: UpstreamResult): { ok: true; identity: NemLogInIdentity } | { ok: false; detail: string } {
  if (!nemlogin.claims.readable) return { ok: false, detail: `${nemlogin.claims.reason}: ${nemlogin.claims.detail}` };
  const { person, cvr } = nemlogin.claims.identity;
  if (person.uuid === undefined || cvr === undefined || nemlogin.level.nsis === undefined) return { ok: false, detail: "NemLog-in's claims lack the UUID, CVR or NSIS level" };
  return { ok: true, identity: { uuid: person.uuid, cvr, rid: person.rid, cpr: person.cpr, nsis: nemlogin.level.nsis } };
}

function higherNsis(a: NsisLevel | undefined, b: NsisLevel): NsisLevel {
  return a !== undefined && nsisRank(a) > nsisRank(b) ? a : b;
}

function evidenceOf(upstreams: UpstreamResult[]) {
  return upstreams.map((u) => ({ upstream: u.kind, issuer: u.issuer, assertionId: u.assertionId, authnInstant: u.authnInstant }));
}

/** Step-up, asking: when the level falls short and a step-up can reach it, the login needs NemLog-in next. */
export const stepUpAsk: LoginStep = (context) => {
  if (context.upstreams.some((u) => u.kind === "nemlogin")) return context;
  const identity = mappedIdentity(context);
  const { idp } = municipalUpstream(context);
  const required = context.request.requiredLevel;
  const table = levelTableOf(context.broker.config);
  if (satisfies(identity.level, required, table)) return context;
  const level = stepUpLevelFor(required, table);
  const impossible = level === undefined ? `no NSIS level meets ${describeRequirement(required)}` : stepUpImpossible(context, idp);
  if (impossible !== undefined || level === undefined) {
    // An IdP registered for step-up without NemLog-in configured is a configuration mistake worth a warning.
    const misconfigured = idp.policy.stepUp && !context.broker.registry.nemLogIn();
    context.broker.log[misconfigured ? "warn" : "debug"](
      { correlationId: context.request.correlationId, event: "step_up_not_possible", idp: idp.id, detail: impossible },
      "no step-up; the level check decides",
    );
    return context;
  }
  const need: UpstreamNeeded = {
    kind: "upstream-needed",
    upstream: "nemlogin",
    level,
    reason: `IdP ${idp.id} proved ${describeLevel(identity.level)}; the fagsystem requires ${describeRequirement(required)}`,
  };
  return need;
};

/** Step-up, binding: when NemLog-in has answered, it must be the same person in the same organisation; then its level counts. */
export const stepUpBind: LoginStep = async (context) => {
  const nemlogin = context.upstreams.find((u) => u.kind === "nemlogin");
  if (!nemlogin) return context;
  const identity = mappedIdentity(context);
  const { idp } = municipalUpstream(context);
  const required = context.request.requiredLevel;
  const table = levelTableOf(context.broker.config);

  // NemLog-in has answered: the same person, the same organisation, then its level.
  const audit = auditTrail(context.broker);
  const base = {
    correlationId: context.request.correlationId,
    sp: context.request.downstream.partyId,
    idp: idp.id,
    cvr: identity.organisation.cvr,
    binding: idp.policy.stepUpBinding,
    evidence: evidenceOf(context.upstreams),
  };
  const refuse = async (reason: keyof typeof MESSAGES, detail: string, level: ReachedLevel, refusal: Refusal) => {
    await audit.recordStepUp({ ...base, outcome: "refused", reason, detail, loginLevel: level });
    return new LoginError(reason, `step-up refused: ${detail}`, refusal, MESSAGES[reason]);
  };

  if (!idp.policy.stepUp || !context.broker.registry.nemLogIn()) {
    throw await refuse("nemlogin_unusable", `IdP ${idp.id} is not registered for step-up, or NemLog-in is not configured`, nemlogin.level, "denied");
  }
  const stepped = steppedIdentity(nemlogin);
  if (!stepped.ok) throw await refuse("nemlogin_unusable", stepped.detail, nemlogin.level, "authentication_failed");
  const same = checkSamePerson(idp.policy.stepUpBinding, { person: identity.person, cvr: identity.organisation.cvr }, stepped.identity);
  if (!same.ok) {
    throw await refuse(same.reason, same.detail, nemlogin.level, same.reason === "step_up_other_organisation" ? "denied" : "authentication_failed");
  }
  const merged: ReachedLevel = { ...identity.level, nsis: higherNsis(identity.level.nsis, stepped.identity.nsis) };
  if (!satisfies(merged, required, table)) {
    throw await refuse("step_up_level_too_low", `NemLog-in asserted NSIS ${stepped.identity.nsis}; the fagsystem requires ${describeRequirement(required)}`, nemlogin.level, "level_not_met");
  }
  try {
    await audit.recordStepUp({ ...base, outcome: "bound", loginLevel: merged });
  } catch (error) {
    // NemLog-in's evidence must be kept: without its record the step-up does not complete (fail closed).
    if (error instanceof AuditUnavailableError) throw new LoginError("audit_unavailable", error.message, "failed", AUDIT_UNAVAILABLE);
    throw error;
  }
  return { ...context, identity: { ...identity, level: merged } };
};

/**
 * The upstream results of an SSO session that still count for this request:
 * a step-up counts while it is younger than `nemlogin.stepUpMaxAgeSeconds`
 * (from NemLog-in's authentication) and only if its level meets what this
 * fagsystem requires; otherwise it is left out, so the pipeline asks for a
 * fresh step-up rather than refusing.
 */
export function upstreamsForReuse(broker: BrokerContext, request: LoginRequest, upstreams: UpstreamResult[]): UpstreamResult[] {
  const maxAgeMs = (broker.config.nemlogin?.stepUpMaxAgeSeconds ?? 0) * 1000;
  const now = broker.now();
  const table = levelTableOf(broker.config);
  return upstreams.filter((u) => {
    if (u.kind !== "nemlogin") return true;
    const at = Date.parse(u.authnInstant);
    if (!Number.isFinite(at) || now - at > maxAgeMs || maxAgeMs === 0) return false;
    return u.level.nsis !== undefined && satisfies({ nsis: u.level.nsis }, request.requiredLevel, table);
  });
}
