/**
 * What finds an SSO session when a logout message arrives without the
 * browser's cookie (a back channel, or a cross-site POST): the keys a party's
 * LogoutRequest names. An upstream IdP names its own NameID and the
 * SessionIndex it issued; a fagsystem names the SessionIndex the broker gave
 * it (saml-participant.ts). The index is keyed by a hash and holds the
 * session id sealed with the lookup key itself (sso-seal.ts).
 */
import { createHash } from "node:crypto";
import type { UpstreamResult } from "../model/upstream-result.js";

export function indexStoreKey(lookup: string): string {
  return `sso-index:${createHash("sha256").update(lookup).digest("hex")}`;
}

/** An upstream's LogoutRequest names its SessionIndex when it sent one; without one it means every session of the NameID. */
export function upstreamLookupKey(issuer: string, nameId: string, sessionIndex: string | undefined): string {
  return sessionIndex === undefined ? `upstream\u0000${issuer}\u0000nameid\u0000${nameId}` : `upstream\u0000${issuer}\u0000session\u0000${sessionIndex}`;
}

export function upstreamLookupKeys(upstream: UpstreamResult): string[] {
  const byName = upstreamLookupKey(upstream.issuer, upstream.nameId, undefined);
  return upstream.sessionIndex === undefined ? [byName] : [upstreamLookupKey(upstream.issuer, upstream.nameId, upstream.sessionIndex), byName];
}
