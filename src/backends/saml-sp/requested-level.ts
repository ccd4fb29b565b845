import type { LevelRequirement } from "../../profiles/levels.js";
import { requestedClassRefsFor as forProfile, type IdpOiosamlProfile } from "../../profiles/idp-profiles.js";

/**
 * RequestedAuthnContext classes for a requirement, in the form the IdP's
 * OIOSAML profile takes: the NSIS class URL, the NIST AssuranceLevel class,
 * AD FS's multipleauthn, or nothing (see profiles/idp-profiles.ts).
 */
export function requestedClassRefsFor(requirement: LevelRequirement, profile: IdpOiosamlProfile = "OIOSAML3"): string[] {
  return forProfile(requirement, profile);
}
