/**
 * What an OIDC fagsystem receives, as claims: the same facts the SAML answer
 * carries (the release profile decides which), under the OIOSAML 3
 * attribute URIs as claim names; the privileges as `privileges_intermediate`
 * (base64 OIO-BPP, as in SAML) and, for clients that prefer JSON, as
 * `privileges` (one object per privilege group). Pure functions.
 */
import type { Release } from "./release-profiles.js";
import { formatScope, type PrivilegeList } from "./bpp.js";
import { LEGACY, OIOSAML3 } from "./oiosaml3-attributes.js";

export const PRIVILEGES_INTERMEDIATE_CLAIM = "privileges_intermediate";
export const PRIVILEGES_JSON_CLAIM = "privileges";

/** Every claim name the broker may release (oidc-provider releases only claims it knows). */
export const OIDC_CLAIM_NAMES: readonly string[] = [
  ...Object.values(OIOSAML3).filter((name) => name !== OIOSAML3.privilegesIntermediate),
  LEGACY.kombitSpecVer,
  LEGACY.assuranceLevel,
  PRIVILEGES_INTERMEDIATE_CLAIM,
  PRIVILEGES_JSON_CLAIM,
];

export interface PrivilegeGroupClaim {
  /** The organisation the group is for (CVR scopes). */
  cvr?: string;
  /** The scope URN for other scopes (P-number, SE number). */
  scope?: string;
  p: string[];
  c: Array<Record<string, string | string[]>>;
}

export type OidcClaims = Record<string, string | string[] | PrivilegeGroupClaim[]>;

export function privilegesAsJson(list: PrivilegeList): PrivilegeGroupClaim[] {
  return list.groups.map((group) => ({
    ...(group.scope.kind === "cvr" ? { cvr: group.scope.cvr } : { scope: formatScope(group.scope) }),
    p: [...group.privileges],
    c: group.constraints.map((constraint) => ({ [constraint.name]: constraint.values.length === 1 ? constraint.values[0]! : [...constraint.values] })),
  }));
}

/** The claims for a release; `privileges` is the translated list the release encoded (undefined: none released). */
export function oidcClaimsFor(release: Release, privileges: PrivilegeList | undefined): OidcClaims {
  const claims: OidcClaims = {};
  for (const attribute of release.attributes) {
    const name = attribute.name === OIOSAML3.privilegesIntermediate ? PRIVILEGES_INTERMEDIATE_CLAIM : attribute.name;
    claims[name] = attribute.values.length === 1 ? attribute.values[0]! : [...attribute.values];
  }
  if (privileges && claims[PRIVILEGES_INTERMEDIATE_CLAIM] !== undefined) claims[PRIVILEGES_JSON_CLAIM] = privilegesAsJson(privileges);
  return claims;
}
