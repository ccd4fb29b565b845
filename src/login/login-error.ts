import { STATUS, type SubStatus, type TopStatus } from "../saml/namespaces.js";

/**
 * A login that cannot go on. `reason` is the stable code logged for the
 * operator; `status`/`subStatus` is what the fagsystem is told; `userMessage`
 * is what the person sees.
 */
export class LoginError extends Error {
  constructor(
    readonly reason: string,
    message: string,
    readonly status: TopStatus = STATUS.responder,
    readonly subStatus: SubStatus | undefined = undefined,
    readonly userMessage: string = "Login kunne ikke gennemføres. / The login could not be completed.",
  ) {
    super(message);
    this.name = "LoginError";
  }
}
