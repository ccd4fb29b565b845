/**
 * Why a login cannot go on, in neutral terms. `reason` is the stable code
 * logged for the operator and counted in metrics; `refusal` is the kind of
 * refusal, which each frontend maps to its own wire error (a SAML status in
 * the SAML frontend, an OAuth error code in the OIDC frontend);
 * `userMessage` is what the person reads (Danish / English).
 */
export type Refusal =
  /** The person could not be authenticated, or the upstream's answer could not be used. */
  | "authentication_failed"
  /** The level proved does not meet what the party requires. */
  | "level_not_met"
  /** Authenticated, but policy does not allow this login (wrong organisation, step-up refused). */
  | "denied"
  /** The party asked for no interaction, and the login needs one. */
  | "interaction_required"
  /** The party asked for something the broker does not offer. */
  | "unsupported"
  /** The party's request is wrong. */
  | "bad_request"
  /** Anything else that ends the login on the broker's side. */
  | "failed";

export const DEFAULT_USER_MESSAGE = "Login kunne ikke gennemføres. / The login could not be completed.";

export class LoginError extends Error {
  constructor(
    readonly reason: string,
    message: string,
    readonly refusal: Refusal = "failed",
    readonly userMessage: string = DEFAULT_USER_MESSAGE,
  ) {
    super(message);
    this.name = "LoginError";
  }
}

/** A failure the person must see as a page: no party can be answered safely. */
export class PageError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly reason: string,
    message: string,
    readonly userMessage: string,
  ) {
    super(message);
    this.name = "PageError";
  }
}
