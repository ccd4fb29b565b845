/**
 * Timing the phases of one login, without allocating per step. The lowest
 * layer: the SAML layer times its parse/decrypt/verify work through it; the
 * clock that records (observability/login-timings.ts) implements it.
 */

/** The steps of the ACS hop, in order. `store` is every state-store round trip. */
export const LOGIN_PHASES = ["parse", "store", "decrypt", "verify", "map", "build", "sign", "encrypt"] as const;
export type LoginPhase = (typeof LOGIN_PHASES)[number];

/** Times the phases of one login. Phases that run more than once (two signatures, two store calls) add up. */
export interface PhaseTimer {
  time<T>(phase: LoginPhase, work: () => T): T;
}

/** For callers that are not timed. */
export const UNTIMED: PhaseTimer = { time: (_phase, work) => work() };
