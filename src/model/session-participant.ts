/**
 * A party the broker answered within an SSO session, kept so a logout can
 * reach it. The core stores these as they are; only the frontend that wrote
 * one reads its `handle`.
 */
import type { Interaction } from "./interaction.js";

export interface SessionParticipant {
  /** The frontend that answered the party ("saml", "oidc"). */
  frontend: string;
  /** The party's registry id. */
  partyId: string;
  /** What that frontend needs to log the party out (SAML: NameID and SessionIndex sent; OIDC: account and sid). */
  handle: Record<string, string>;
  /** What the party's own logout message will name (SAML: its entityID and the SessionIndex), for finding the session. */
  lookupKey: string | undefined;
}

/** A frontend's answer to a party: what the browser does next, and the party as a participant of the session. */
export interface FrontendAnswer {
  interaction: Interaction;
  participant: SessionParticipant | undefined;
}
