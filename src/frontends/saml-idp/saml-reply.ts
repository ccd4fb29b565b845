/**
 * The SAML frontend's part of a LoginRequest: which SP asked, with which
 * request ID, and where (ACS URL, RelayState) the answer goes. Stored in the
 * neutral DownstreamRef as plain strings; read back with a check, so a login
 * state that is not the SAML frontend's never yields an answer.
 */
import type { DownstreamRef } from "../../model/login-request.js";

export const SAML_FRONTEND = "saml";

export interface SamlReply {
  spId: string;
  spEntityId: string;
  requestId: string;
  acsUrl: string;
  relayState: string | undefined;
}

export function samlDownstream(reply: SamlReply): DownstreamRef {
  const fields: Record<string, string> = { spEntityId: reply.spEntityId, requestId: reply.requestId, acsUrl: reply.acsUrl };
  if (reply.relayState !== undefined) fields["relayState"] = reply.relayState;
  return { frontend: SAML_FRONTEND, partyId: reply.spId, reply: fields };
}

export function samlReplyOf(downstream: DownstreamRef): SamlReply {
  const { spEntityId, requestId, acsUrl, relayState } = downstream.reply;
  if (downstream.frontend !== SAML_FRONTEND || spEntityId === undefined || requestId === undefined || acsUrl === undefined) {
    throw new Error(`login state for ${downstream.partyId} holds no SAML reply address`);
  }
  return { spId: downstream.partyId, spEntityId, requestId, acsUrl, relayState };
}
