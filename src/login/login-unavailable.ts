/**
 * The state store failed during a login whose fagsystem is known: the person
 * gets a 503 page, and the page can take them back to the fagsystem with a
 * SAML error. Still a StoreUnavailableError, so every handler of that sees it.
 */
import { StoreUnavailableError } from "../store/state-store.js";
import type { DownstreamRef } from "../model/login-request.js";

export class LoginUnavailable extends StoreUnavailableError {
  constructor(
    readonly downstream: DownstreamRef,
    cause: StoreUnavailableError,
  ) {
    super(cause.message);
    this.name = "LoginUnavailable";
    this.cause = cause;
  }
}

/** Runs a store-touching step of a login, naming the fagsystem if the store fails. */
export async function forDownstream<T>(downstream: DownstreamRef, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof StoreUnavailableError && !(error instanceof LoginUnavailable)) throw new LoginUnavailable(downstream, error);
    throw error;
  }
}
