/**
 * The level a self-check may ask the IdP for (none, NSIS Substantial, NIST 3),
 * and how that request goes to the IdP: as a real login to that IdP would
 * send it, per its registration (the OIOSAML profile's RequestedAuthnContext
 * classes, or an OpenID Connect IdP's acr_values).
 */
import type { BrokerContext } from "../broker-context.js";
import { isSamlIdp, type IdentityProvider } from "../trust/registry.js";
import { requestedClassRefsFor } from "../profiles/idp-profiles.js";
import { municipalRequirement } from "../backends/saml-sp/upstream-party.js";
import { acrValuesFor } from "../backends/oidc-rp/oidc-upstream.js";
import { describeRequirement, type LevelRequirement } from "../profiles/levels.js";
import type { RequestedLevel, ScopingSent } from "./report-types.js";

export type { RequestedLevel } from "./report-types.js";

export const SELF_CHECK_LEVELS = [
  { value: "none", requirement: { kind: "none" }, label: "Intet niveau / No level" },
  { value: "nsis-substantial", requirement: { kind: "nsis", minimum: "Substantial" }, label: "NSIS Substantial" },
  { value: "nist-3", requirement: { kind: "nist", minimum: 3 }, label: "NIST 3 (AssuranceLevel 3)" },
] as const satisfies ReadonlyArray<{ value: string; requirement: LevelRequirement; label: string }>;

/** The requirement for a form value; an absent or empty value is "none", an unknown one undefined. */
export function selfCheckLevel(value: unknown): LevelRequirement | undefined {
  if (value === undefined || value === "") return { kind: "none" };
  return SELF_CHECK_LEVELS.find((l) => l.value === value)?.requirement;
}

export function requestedLevel(broker: BrokerContext, idp: IdentityProvider, level: LevelRequirement): RequestedLevel {
  const realLoginStepsUp = level.kind !== "none" && municipalRequirement(level, idp, broker.registry.nemLogIn() !== undefined).kind === "none";
  const sentAs: RequestedLevel["sentAs"] = isSamlIdp(idp)
    ? { protocol: "saml", profile: idp.policy.oiosamlProfile, classRefs: requestedClassRefsFor(level, idp.policy.oiosamlProfile) }
    : { protocol: "oidc", acrValues: acrValuesFor(level, idp.policy.sendAcrValues) };
  return { level, described: describeRequirement(level), sentAs, realLoginStepsUp };
}

/** Whether the self-check's request carries Scoping: where the registration sends it, with the broker's own entityID as RequesterID (no fagsystem takes part). */
export function scopingSent(broker: BrokerContext, idp: IdentityProvider): ScopingSent {
  if (!isSamlIdp(idp)) return { sent: false, protocol: "oidc" };
  return idp.policy.sendScoping ? { sent: true, requesterId: broker.config.entityId } : { sent: false, protocol: "saml" };
}
