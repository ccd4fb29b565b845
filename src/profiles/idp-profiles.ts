/**
 * An identity provider's OIOSAML profile, as the real Context Handler
 * registers it: decides how a required level is sent to the IdP
 * (RequestedAuthnContext) and how its answer is read. Pure functions.
 *
 * | profile                        | NSIS requirement     | NIST requirement N                          |
 * |--------------------------------|----------------------|---------------------------------------------|
 * | OIOSAML3                       | NSIS class URL       | urn:dk:gov:saml:attribute:AssuranceLevel:N  |
 * | OIOSAML2                       | nothing (no NSIS)    | urn:dk:gov:saml:attribute:AssuranceLevel:N  |
 * | *_ADFS_MULTIPLEAUTHN, *_ADFS_RELAY_STATE | multipleauthn from Substantial | multipleauthn from N = 3      |
 * | OIOSAML2_WITHOUT_REQUESTED_LOA | nothing              | nothing                                     |
 */
import {
  ADFS_MULTIPLE_AUTHN_CLASS,
  nistClassRef,
  nsisClassRef,
  nsisRank,
  type LevelRequirement,
  type NistLevel,
  type NsisLevel,
} from "./levels.js";

export const IDP_OIOSAML_PROFILES = [
  "OIOSAML2",
  "OIOSAML2_ADFS_MULTIPLEAUTHN",
  "OIOSAML2_WITHOUT_REQUESTED_LOA",
  "OIOSAML3",
  "OIOSAML3_ADFS_MULTIPLEAUTHN",
  "OIOSAML3_ADFS_RELAY_STATE",
] as const;
export type IdpOiosamlProfile = (typeof IDP_OIOSAML_PROFILES)[number];

/** The AD FS variants express "multi-factor" with Microsoft's class instead of a level. */
export function isAdfsProfile(profile: IdpOiosamlProfile): boolean {
  return profile === "OIOSAML2_ADFS_MULTIPLEAUTHN" || profile === "OIOSAML3_ADFS_MULTIPLEAUTHN" || profile === "OIOSAML3_ADFS_RELAY_STATE";
}

/** OIOSAML 2 IdPs deliver NIST levels only. */
export function deliversNsis(profile: IdpOiosamlProfile): boolean {
  return profile.startsWith("OIOSAML3");
}

/** The NIST level that AD FS's multipleauthn class proves (multi-factor, as AssuranceLevel 3). */
export const MULTIPLE_AUTHN_NIST: NistLevel = 3;

function needsMultiFactor(requirement: LevelRequirement): boolean {
  switch (requirement.kind) {
    case "none":
      return false;
    case "nsis":
      return nsisRank(requirement.minimum) >= nsisRank("Substantial" satisfies NsisLevel);
    case "nist":
      return requirement.minimum >= MULTIPLE_AUTHN_NIST;
  }
}

/** RequestedAuthnContext classes (Comparison="minimum") for this IdP; empty means none is sent. */
export function requestedClassRefsFor(requirement: LevelRequirement, profile: IdpOiosamlProfile): string[] {
  if (requirement.kind === "none" || profile === "OIOSAML2_WITHOUT_REQUESTED_LOA") return [];
  if (isAdfsProfile(profile)) return needsMultiFactor(requirement) ? [ADFS_MULTIPLE_AUTHN_CLASS] : [];
  if (requirement.kind === "nsis") return deliversNsis(profile) ? [nsisClassRef(requirement.minimum)] : [];
  return [nistClassRef(requirement.minimum)];
}
