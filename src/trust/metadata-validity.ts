/**
 * Metadata's `validUntil` holds for as long as the broker runs, not only at
 * start: every use of a party's trust (verifying its messages, sending a
 * person to it, minting an assertion for it) asks here first and fails
 * closed, naming the party, once its metadata has expired. Other parties are
 * not affected.
 */

/** The reason code logged and counted when a party's metadata has expired. */
export const METADATA_EXPIRED = "metadata_expired";

export interface PartyWithMetadata {
  id: string;
  metadata: { entityId: string; validUntil: Date | undefined };
}

/** Why `party` may not be used at `nowMs` (its metadata has expired), or undefined when it may. */
export function expiredMetadata(role: string, party: PartyWithMetadata, nowMs: number): string | undefined {
  const until = party.metadata.validUntil;
  if (until === undefined || nowMs < until.getTime()) return undefined;
  return `${role} ${party.id} (${party.metadata.entityId}): its metadata expired at ${until.toISOString()} (validUntil); install current metadata for it`;
}

/** What the person reads when a party's registration has expired. */
export const EXPIRED_REGISTRATION_MESSAGE =
  "Login kan ikke gennemføres, fordi en af parternes registrering er udløbet. Kontakt support. / The login cannot be completed because a party's registration has expired. Please contact support.";
