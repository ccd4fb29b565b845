/**
 * The ports of Single Logout: how the logout core reaches each kind of
 * party, wired once at start (src/http/wire-logout.ts). A participant's
 * `frontend` names its port: the fagsystem frontends ("saml", "oidc") and the
 * upstreams ("upstream"). The core never reads a handle itself.
 */
import type { Interaction } from "../../model/interaction.js";
import type { SessionParticipant } from "../../model/session-participant.js";

/**
 * How a party is told:
 * - back: the broker calls it (SOAP, OIDC back-channel logout), with a timeout;
 * - frame: the browser, in a hidden frame of the logout page, all at once, with a timeout;
 * - top: the browser itself goes there and comes back (an IdP, whose cookies are first-party only there);
 * - none: it offers no way (reported as not logged out).
 */
export type LogoutChannel = "back" | "frame" | "top" | "none";

/** Who began the logout, and what its answer needs (SAML: the request ID and where to answer). */
export interface LogoutInitiator {
  frontend: string;
  partyId: string;
  reply: Record<string, string>;
}

export type LogoutOutcome = "success" | "partial";

export interface PartyLogout {
  channel(participant: SessionParticipant): LogoutChannel;
  /** Back channel: true when the party confirmed the logout, false when it refused. Throws when it could not be reached. */
  logOutBehind(participant: SessionParticipant, correlationId: string, timeoutMs: number): Promise<boolean>;
  /** Front channel: where the browser goes, and the id the party's answer will name (InResponseTo). */
  request(participant: SessionParticipant, relayState: string): { interaction: Interaction; requestId: string } | Promise<{ interaction: Interaction; requestId: string }>;
  /** The answer to this kind's party that began the logout; undefined when none is owed. */
  answerInitiator(initiator: LogoutInitiator, outcome: LogoutOutcome): Interaction | undefined;
  /** The party's name for the person's summary page. */
  displayName(participant: SessionParticipant): string;
}

export interface LogoutPorts {
  parties: Readonly<Record<string, PartyLogout>>;
}
