/**
 * Levels in OpenID Connect terms: the NSIS level URLs and the NIST class
 * URNs double as `acr` values. What a client asks for in `acr_values` is
 * joined with its registered requirement (raised, never lowered), exactly as
 * the SAML frontend joins RequestedAuthnContext with a fagsystem's.
 */
import {
  NIST_LEVELS,
  NSIS_LEVELS,
  describeRequirement,
  nistClassRef,
  nsisClassRef,
  requestedRequirement,
  stricterRequirement,
  type LevelRequirement,
  type NistFromNsisTable,
} from "../../profiles/levels.js";

/** Every acr value the broker can assert, strongest NSIS first. */
export const SUPPORTED_ACR_VALUES: readonly string[] = [...NSIS_LEVELS.map(nsisClassRef), ...NIST_LEVELS.map(nistClassRef)];

export type JoinedRequirement = { ok: true; requirement: LevelRequirement } | { ok: false; reason: string };

/**
 * The level a login must reach for this authorization. `acr_values` lists
 * acceptable levels: the weakest listed counts (any of them satisfies the
 * client), then the client's registered requirement raises it. Values the
 * broker does not know are refused rather than ignored, so a typo cannot
 * silently lower what a client meant to ask for.
 */
export function requirementForAuthorization(acrValues: string | undefined, registered: LevelRequirement, table: Readonly<NistFromNsisTable>): JoinedRequirement {
  const asked = (acrValues ?? "").split(" ").filter((value) => value !== "");
  const unknown = asked.filter((value) => !SUPPORTED_ACR_VALUES.includes(value));
  if (unknown.length > 0) return { ok: false, reason: `acr_values holds values the broker does not support: ${unknown.join(" ").slice(0, 200)}` };
  const requested = requestedRequirement(asked, "minimum");
  if (!requested.ok) return requested;
  const joined = stricterRequirement(registered, requested.requirement, table);
  if (!joined) {
    return { ok: false, reason: `acr_values ask for ${describeRequirement(requested.requirement)} and the client requires ${describeRequirement(registered)}; no level satisfies both` };
  }
  return { ok: true, requirement: joined };
}
