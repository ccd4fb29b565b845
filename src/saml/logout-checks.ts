/** The checks every received logout message passes after its signature verified: where it was sent, when, and once. */
import { parseInstant } from "./saml-time.js";
import { SamlError } from "./saml-error.js";
import type { ReceivedLogoutRequest, ReceivedLogoutResponse } from "./logout-messages.js";

export interface LogoutCheckContext {
  /** The broker's SingleLogoutService URL(s) the message may name as Destination. */
  destinations: readonly string[];
  now: number;
  clockSkewMs: number;
  maxAgeMs: number;
  /** The replay cache (the state store's seenBefore). */
  store: { seenBefore(key: string, ttlSeconds: number): Promise<boolean> };
}

function checkInstants(issueInstant: string, what: string, ctx: LogoutCheckContext): void {
  const issued = parseInstant(issueInstant, "IssueInstant");
  if (issued > ctx.now + ctx.clockSkewMs) throw new SamlError("request_from_future", `${what} IssueInstant is in the future`);
  if (issued < ctx.now - ctx.clockSkewMs - ctx.maxAgeMs) throw new SamlError("request_too_old", `${what} IssueInstant is too old`);
}

function checkDestination(destination: string | undefined, what: string, ctx: LogoutCheckContext): void {
  // Signed messages sent through the browser must say where they were meant to go (SAML bindings §3.4.5.2, §3.5.5.2).
  if (destination === undefined) throw new SamlError("destination_missing", `${what} has no Destination`);
  if (!ctx.destinations.includes(destination)) throw new SamlError("destination_mismatch", `${what} Destination is not this broker's logout URL`);
}

/** Destination, IssueInstant window, NotOnOrAfter, and the ID never seen before from this issuer. */
export async function checkLogoutRequest(request: ReceivedLogoutRequest, viaBrowser: boolean, ctx: LogoutCheckContext): Promise<void> {
  if (viaBrowser || request.destination !== undefined) checkDestination(request.destination, "LogoutRequest", ctx);
  checkInstants(request.issueInstant, "LogoutRequest", ctx);
  if (request.notOnOrAfter !== undefined && parseInstant(request.notOnOrAfter, "NotOnOrAfter") <= ctx.now - ctx.clockSkewMs) {
    throw new SamlError("request_expired", "LogoutRequest NotOnOrAfter has passed");
  }
  const ttl = Math.ceil((ctx.maxAgeMs + 2 * ctx.clockSkewMs) / 1000);
  if (await ctx.store.seenBefore(`logoutrequest:${request.issuer}:${request.id}`, ttl)) {
    throw new SamlError("request_replayed", `LogoutRequest ${request.id} has been received before`);
  }
}

export function checkLogoutResponse(response: ReceivedLogoutResponse, expectedIssuer: string, viaBrowser: boolean, ctx: LogoutCheckContext): void {
  if (response.issuer !== expectedIssuer) throw new SamlError("issuer_mismatch", "LogoutResponse is not from the party the request went to");
  if (viaBrowser || response.destination !== undefined) checkDestination(response.destination, "LogoutResponse", ctx);
  checkInstants(response.issueInstant, "LogoutResponse", ctx);
}
