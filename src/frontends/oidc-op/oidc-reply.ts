/**
 * The OIDC frontend's part of a LoginRequest: which client asked, and the
 * oidc-provider interaction the answer finishes. Stored in the neutral
 * DownstreamRef as plain strings; read back with a check, so a login state
 * that is not the OIDC frontend's never yields an answer.
 */
import type { DownstreamRef } from "../../model/login-request.js";

export const OIDC_FRONTEND = "oidc";

export interface OidcReply {
  partyId: string;
  clientId: string;
  /** The oidc-provider interaction id. */
  uid: string;
}

export function oidcDownstream(reply: OidcReply): DownstreamRef {
  return { frontend: OIDC_FRONTEND, partyId: reply.partyId, reply: { clientId: reply.clientId, uid: reply.uid } };
}

export function oidcReplyOf(downstream: DownstreamRef): OidcReply {
  const { clientId, uid } = downstream.reply;
  if (downstream.frontend !== OIDC_FRONTEND || clientId === undefined || uid === undefined) {
    throw new Error(`login state for ${downstream.partyId} holds no OIDC interaction`);
  }
  return { partyId: downstream.partyId, clientId, uid };
}
