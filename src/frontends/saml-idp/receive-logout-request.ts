/**
 * A fagsystem's LogoutRequest: from a registered fagsystem, signed with a key
 * from its metadata, sent to this broker, in its time window, never before,
 * and naming a session the broker gave that fagsystem for that person.
 * Anything else ends nobody's session: before the signature holds, the
 * person gets a page; after it, the fagsystem gets a LogoutResponse saying no.
 */
import type { BrokerContext } from "../../broker-context.js";
import type { IncomingMessage } from "../../saml/incoming-message.js";
import type { ServiceProvider } from "../../trust/registry.js";
import type { FoundSession, SsoSessionRepository } from "../../login/sso-session.js";
import type { LogoutInitiator } from "../../login/logout/logout-ports.js";
import { LogoutRefused, LogoutRejected, type AcceptedLogout } from "../../login/logout/logout-errors.js";
import { readLogoutRequest, UNKNOWN_PRINCIPAL, type ReceivedLogoutRequest } from "../../saml/logout-messages.js";
import { checkLogoutRequest, type LogoutCheckContext } from "../../saml/logout-checks.js";
import { withDecryptedNameId } from "../../saml/logout-name-id.js";
import { logoutResponseThroughBrowser } from "../../saml/logout-to-party.js";
import { SamlError } from "../../saml/saml-error.js";
import { STATUS } from "../../saml/namespaces.js";
import { expiredMetadata, METADATA_EXPIRED } from "../../trust/metadata-validity.js";
import { samlHandleOf, samlLookupKey } from "./saml-participant.js";
import { SAML_FRONTEND } from "./saml-reply.js";
import { logoutSender, spAsLogoutParty } from "./saml-logout.js";

/** The checks' context; a message may name as Destination only the endpoint of the binding it came by. */
export function logoutCheckContext(broker: BrokerContext, binding: IncomingMessage["binding"]): LogoutCheckContext {
  return {
    destinations: [binding === "soap" ? broker.urls.sloSoap : broker.urls.slo],
    now: broker.now(),
    clockSkewMs: broker.config.timing.clockSkewSeconds * 1000,
    maxAgeMs: broker.config.timing.requestMaxAgeSeconds * 1000,
    store: broker.store,
  };
}

/** What the LogoutResponse to the initiator needs; `asynchronous` when it wants none. */
function replyTo(spEntityId: string, request: ReceivedLogoutRequest, relayState: string | undefined): Record<string, string> {
  return { spEntityId, requestId: request.id, ...(relayState !== undefined ? { relayState } : {}), ...(request.asynchronous ? { asynchronous: "true" } : {}) };
}

export async function receiveSpLogoutRequest(
  broker: BrokerContext,
  sp: ServiceProvider,
  message: IncomingMessage,
  sessions: SsoSessionRepository,
  cookieSessionId: string | undefined,
): Promise<AcceptedLogout> {
  let request: ReceivedLogoutRequest;
  try {
    const expired = expiredMetadata("fagsystem", sp, broker.now());
    if (expired) throw new SamlError(METADATA_EXPIRED, expired);
    request = readLogoutRequest(await withDecryptedNameId(message.verifiedBy(sp.metadata.signingCertificates, sp.policy.allowSha1), broker.keys.decryption, broker.xmlLimits));
    if (request.issuer !== sp.metadata.entityId) throw new SamlError("issuer_mismatch", "the signed Issuer is not the fagsystem whose key verified it");
  } catch (error) {
    if (error instanceof SamlError) throw new LogoutRejected(error.reason, error.message);
    throw error;
  }
  // An asynchronous request (aslo:Asynchronous) is never answered, not even with an error.
  const refuse = (reason: string, detail: string, subStatus: string) =>
    new LogoutRefused(reason, detail, request.asynchronous ? undefined : logoutResponseThroughBrowser(logoutSender(broker), spAsLogoutParty(sp), request.id, { status: STATUS.requester, subStatus, message: detail }, message.relayState), request.id);
  try {
    await checkLogoutRequest(request, message.binding !== "soap", logoutCheckContext(broker, message.binding));
  } catch (error) {
    if (error instanceof SamlError) throw refuse(error.reason, error.message, STATUS.requestDenied);
    throw error;
  }
  const initiator: LogoutInitiator = { frontend: SAML_FRONTEND, partyId: sp.id, reply: replyTo(sp.metadata.entityId, request, message.relayState) };
  // The SessionIndex the broker gave this fagsystem finds the session; without one, the browser's own session is the one meant.
  let found: FoundSession | undefined;
  for (const index of request.sessionIndexes) found ??= await sessions.findByLookup(samlLookupKey(sp.metadata.entityId, index));
  if (!found && cookieSessionId !== undefined && message.binding !== "soap") {
    const session = await sessions.find(cookieSessionId);
    if (session) found = { id: cookieSessionId, session };
  }
  if (found) {
    const mine = (found.session.participants ?? []).map(samlHandleOf).filter((h) => h !== undefined && h.entityId === sp.metadata.entityId);
    if (mine.length === 0) throw refuse("logout_not_participant", "the fagsystem has no part in this session", UNKNOWN_PRINCIPAL);
    if (!mine.some((h) => h!.nameId === request.nameId)) throw refuse("logout_wrong_person", "the NameID is not the one the broker sent for this session", UNKNOWN_PRINCIPAL);
  }
  return { initiator, initiatorName: sp.displayName, found };
}
