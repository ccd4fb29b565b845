/**
 * The level an IdP delivered, read according to its OIOSAML profile and
 * capped to what it is registered to deliver. Pure functions.
 *
 * Sources: the AuthnContextClassRef (NSIS class URL or NIST AssuranceLevel
 * class), the NSIS `loa` attribute, the legacy `AssuranceLevel` attribute;
 * for the AD FS profiles also Microsoft's `multipleauthn` class, read as
 * multi-factor (NIST level 3) when no AssuranceLevel says otherwise.
 */
import type { RawAttribute } from "./person.js";
import { ADFS_MULTIPLE_AUTHN_CLASS, capLevel, type LevelCeiling, type NistLevel, type NsisLevel, type ReachedLevel } from "./levels.js";
import { deliversNsis, isAdfsProfile, MULTIPLE_AUTHN_NIST, type IdpOiosamlProfile } from "./idp-profiles.js";
import { readLevel } from "./oiosaml3-profile.js";

export function readDeliveredLevel(attributes: RawAttribute[], classRef: string | undefined, profile: IdpOiosamlProfile): ReachedLevel {
  const multipleAuthn = isAdfsProfile(profile) && classRef === ADFS_MULTIPLE_AUTHN_CLASS;
  const level = readLevel(attributes, multipleAuthn ? undefined : classRef);
  if (multipleAuthn && level.nist === undefined) level.nist = MULTIPLE_AUTHN_NIST;
  return level;
}

export interface IdpLevelRegistration {
  oiosamlProfile: IdpOiosamlProfile;
  maxLevel: { nist: NistLevel; nsis: NsisLevel | "none" };
}

export function ceilingFor(idp: IdpLevelRegistration): LevelCeiling {
  const nsis = idp.maxLevel.nsis === "none" || !deliversNsis(idp.oiosamlProfile) ? undefined : idp.maxLevel.nsis;
  return { nist: idp.maxLevel.nist, nsis };
}

/** What the broker accepts as proved: the asserted level, never above the IdP's registration. */
export function provedLevel(asserted: ReachedLevel, idp: IdpLevelRegistration): { level: ReachedLevel; capped: boolean } {
  return capLevel(asserted, ceilingFor(idp));
}
