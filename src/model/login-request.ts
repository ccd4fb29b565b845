/**
 * What a downstream party asks for, decoded by its frontend (SAML
 * AuthnRequest, OIDC authorize). Protocol-neutral: the core reads the party,
 * the level and the hints; only the frontend reads `reply`.
 */
import type { LevelRequirement } from "../profiles/levels.js";

/**
 * The downstream party and where its answer goes. `frontend` names the
 * frontend that decoded the request and will encode the answer (the core
 * looks it up in a table); `reply` is that frontend's own data (for SAML the
 * request ID, ACS URL and RelayState), kept as plain strings so the login
 * state can be stored.
 */
export interface DownstreamRef {
  frontend: string;
  /** The party's id in the broker's configuration (a fagsystem, SEB, an OIDC client). */
  partyId: string;
  reply: Readonly<Record<string, string>>;
}

export interface LoginRequest {
  correlationId: string;
  downstream: DownstreamRef;
  requiredLevel: LevelRequirement;
  /**
   * Ask the municipal IdP itself for `requiredLevel`, even where its
   * registration cannot reach it and a real login would ask NemLog-in in a
   * step-up instead (the IdP self-check tests how the IdP answers the request).
   */
  levelAtIdpOnly?: boolean;
  /**
   * Scoping/RequesterID for an IdP whose registration sends Scoping when no
   * downstream party names one (the IdP self-check: the broker's own entityID).
   */
  requesterId?: string | undefined;
  forceAuthn: boolean;
  isPassive: boolean;
  /** Municipality hint from the request (CVR or id), if any. */
  municipalityHint: string | undefined;
  /** The client's IP address as the broker sees it; selects an IdP by its clientIpRanges. */
  clientAddress?: string | undefined;
  createdAt: number;
  /**
   * The browser's SSO session when the login began: the fagsystemer answered
   * in it join the session this login starts, so one logout still reaches them
   * (after a step-up or a new login in the same browser). The login state
   * stores it only sealed.
   */
  priorSsoSessionId?: string | undefined;
}
