/**
 * An upstream IdP's LogoutRequest (IdP-initiated logout): signed with a key
 * from its metadata, sent to this broker, in its window, never before, and
 * naming a NameID (and SessionIndex) it asserted in a live session. It ends
 * that session at every fagsystem; anything else ends nobody's session.
 */
import type { BrokerContext } from "../../broker-context.js";
import type { IncomingMessage } from "../../saml/incoming-message.js";
import type { FoundSession, SsoSessionRepository } from "../../login/sso-session.js";
import type { LogoutSender } from "../../saml/logout-to-party.js";
import { logoutResponseThroughBrowser } from "../../saml/logout-to-party.js";
import { readLogoutRequest, UNKNOWN_PRINCIPAL, type ReceivedLogoutRequest } from "../../saml/logout-messages.js";
import { checkLogoutRequest, type LogoutCheckContext } from "../../saml/logout-checks.js";
import { withDecryptedNameId } from "../../saml/logout-name-id.js";
import { SamlError } from "../../saml/saml-error.js";
import { STATUS } from "../../saml/namespaces.js";
import { upstreamLookupKey } from "../../login/session-index.js";
import { UPSTREAM_PARTICIPANT } from "../../login/logout/upstream-participant.js";
import { LogoutRefused, LogoutRejected, type AcceptedLogout } from "../../login/logout/logout-errors.js";
import type { SamlUpstreamLogoutParty } from "./saml-upstream-logout.js";

export async function receiveUpstreamLogoutRequest(
  broker: BrokerContext,
  party: SamlUpstreamLogoutParty,
  message: IncomingMessage,
  sessions: SsoSessionRepository,
  sender: LogoutSender,
  checks: LogoutCheckContext,
): Promise<AcceptedLogout> {
  let request: ReceivedLogoutRequest;
  try {
    request = readLogoutRequest(await withDecryptedNameId(message.verifiedBy(party.signingCertificates, party.allowSha1), broker.keys.decryption, broker.xmlLimits));
    if (request.issuer !== party.entityId) throw new SamlError("issuer_mismatch", "the signed Issuer is not the IdP whose key verified it");
  } catch (error) {
    if (error instanceof SamlError) throw new LogoutRejected(error.reason, error.message);
    throw error;
  }
  // An asynchronous request (aslo:Asynchronous) is never answered, not even with an error.
  const refuse = (reason: string, detail: string, subStatus: string) =>
    new LogoutRefused(reason, detail, request.asynchronous ? undefined : logoutResponseThroughBrowser(sender, party, request.id, { status: STATUS.requester, subStatus, message: detail }, message.relayState), request.id);
  try {
    await checkLogoutRequest(request, message.binding !== "soap", checks);
  } catch (error) {
    if (error instanceof SamlError) throw refuse(error.reason, error.message, STATUS.requestDenied);
    throw error;
  }
  const lookups = request.sessionIndexes.length > 0 ? request.sessionIndexes.map((index) => upstreamLookupKey(party.entityId, request.nameId, index)) : [upstreamLookupKey(party.entityId, request.nameId, undefined)];
  let found: FoundSession | undefined;
  for (const lookup of lookups) found ??= await sessions.findByLookup(lookup);
  if (found && !found.session.upstreams.some((u) => u.issuer === party.entityId && u.nameId === request.nameId)) {
    throw refuse("logout_wrong_person", "the NameID is not the one this IdP asserted in the session", UNKNOWN_PRINCIPAL);
  }
  return {
    initiator: {
      frontend: UPSTREAM_PARTICIPANT,
      partyId: party.id,
      reply: { entityId: party.entityId, requestId: request.id, ...(message.relayState !== undefined ? { relayState: message.relayState } : {}), ...(request.asynchronous ? { asynchronous: "true" } : {}) },
    },
    initiatorName: party.displayName,
    found,
  };
}
