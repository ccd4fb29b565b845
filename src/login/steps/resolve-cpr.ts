/**
 * The CPR rule. A party whose attribute profile carries the CPR number (SEB)
 * gets it from, in this order: the municipal IdP's assertion, the NemLog-in
 * step-up (already bound to the same person), or the user store the
 * municipality provisioned. No CPR: the login is refused, nothing partial is
 * sent. Every other party's identity has the CPR removed here, so no later
 * step or frontend can release it. The CPR itself is never logged.
 */
import type { LoginStep } from "../pipeline-types.js";
import type { Person } from "../../model/identity.js";
import { LoginError } from "../../model/login-error.js";
import { profileCarriesCpr } from "../../profiles/release-profiles.js";
import { normaliseCprNumber } from "../../profiles/seb-profile.js";
import { mappedIdentity } from "./municipal-upstream.js";
import { downstreamParty } from "./downstream-party.js";

export const CPR_MISSING_MESSAGE =
  "Systemet kræver dit CPR-nummer, men hverken din kommunes login, din kommunes brugerdata eller MitID gav det. Kontakt din kommunes it-afdeling. / The system requires your CPR number, but neither your municipality's login, your municipality's user data nor MitID provided it. Contact your municipality's IT department.";

const CPR_CONFLICT_MESSAGE =
  "Dit login gav to forskellige CPR-numre. Kontakt din kommunes it-afdeling. / Your login gave two different CPR numbers. Contact your municipality's IT department.";

/** The ids the user store knows a user by: the professional UUID, the Serial of the NameID, the NameID. */
function userIds(person: Person): string[] {
  const serial = /(?:^|,)\s*Serial=([^,]+?)\s*$/i.exec(person.nameId)?.[1];
  return [...new Set([person.uuid, serial, person.nameId].filter((id): id is string => id !== undefined && id !== ""))];
}

export const resolveCpr: LoginStep = async (context) => {
  const identity = mappedIdentity(context);
  const party = downstreamParty(context);
  if (!profileCarriesCpr(party.policy.attributeProfile)) {
    return identity.person.cpr === undefined ? context : { ...context, identity: { ...identity, person: { ...identity.person, cpr: undefined } } };
  }
  const log = { correlationId: context.request.correlationId, sp: party.id, cvr: identity.organisation.cvr };
  const fromIdp = normaliseCprNumber(identity.person.cpr);
  if (identity.person.cpr !== undefined && fromIdp === undefined) {
    throw new LoginError("cpr_invalid", "the municipal IdP's CPR number (dk:gov:saml:attribute:CprNumberIdentifier) is not ten digits", "authentication_failed", CPR_MISSING_MESSAGE);
  }
  const nemlogin = context.upstreams.find((u) => u.kind === "nemlogin");
  const fromStepUp = nemlogin?.claims.readable ? normaliseCprNumber(nemlogin.claims.identity.person.cpr) : undefined;
  if (fromIdp !== undefined && fromStepUp !== undefined && fromIdp !== fromStepUp) {
    throw new LoginError("cpr_conflict", "the municipal IdP and NemLog-in asserted different CPR numbers", "authentication_failed", CPR_CONFLICT_MESSAGE);
  }
  let source: "idp" | "step-up" | "user-store" | undefined = fromIdp !== undefined ? "idp" : fromStepUp !== undefined ? "step-up" : undefined;
  let cpr = fromIdp ?? fromStepUp;
  if (cpr === undefined && context.ports.userRecords) {
    cpr = normaliseCprNumber(await context.ports.userRecords.cprFor(identity.organisation.cvr, userIds(identity.person)));
    if (cpr !== undefined) source = "user-store";
  }
  if (cpr === undefined) {
    throw new LoginError(
      "cpr_missing",
      `${party.id} requires the user's CPR number (dk:gov:saml:attribute:CprNumberIdentifier): the municipal IdP sent none, no NemLog-in step-up carried one, and the municipality's user store has no record for the user`,
      "denied",
      CPR_MISSING_MESSAGE,
    );
  }
  context.broker.log.info({ ...log, event: "cpr_resolved", source }, "CPR number found for a party whose profile carries it");
  return { ...context, identity: { ...identity, person: { ...identity.person, cpr } } };
};
