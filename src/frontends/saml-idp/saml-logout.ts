/**
 * Fagsystemer in Single Logout (the "saml" participants): told by SOAP when
 * their metadata offers it, else through the browser in a frame; the one that
 * began the logout gets a signed LogoutResponse.
 */
import type { BrokerContext } from "../../broker-context.js";
import type { PartyLogout } from "../../login/logout/logout-ports.js";
import type { SessionParticipant } from "../../model/session-participant.js";
import type { ServiceProvider } from "../../trust/registry.js";
import { STATUS } from "../../saml/namespaces.js";
import { PARTIAL_LOGOUT } from "../../saml/logout-messages.js";
import { logoutChannelOf, logoutRequestOverSoap, logoutRequestThroughBrowser, logoutResponseThroughBrowser, type LogoutParty, type LogoutSender } from "../../saml/logout-to-party.js";
import { samlHandleOf } from "./saml-participant.js";

/** How the broker signs and dates its logout messages. */
export function logoutSender(broker: BrokerContext): LogoutSender {
  return {
    issuer: broker.config.entityId,
    signing: { key: broker.keys.signing, algorithm: broker.signatureAlgorithm },
    now: broker.now(),
    lifetimeMs: broker.config.timing.requestMaxAgeSeconds * 1000,
  };
}

export function spAsLogoutParty(sp: ServiceProvider): LogoutParty {
  return { entityId: sp.metadata.entityId, singleLogoutServices: sp.metadata.singleLogoutServices, signingCertificates: sp.metadata.signingCertificates, allowSha1: sp.policy.allowSha1 };
}

/** The registered fagsystem a participant names (the same registration it was answered under), if it still is. */
export function participantSp(broker: BrokerContext, participant: SessionParticipant): ServiceProvider | undefined {
  const handle = samlHandleOf(participant);
  const sp = handle && broker.registry.serviceProviderByEntityId(handle.entityId);
  return sp && sp.id === participant.partyId ? sp : undefined;
}

export function samlPartyLogout(broker: BrokerContext): PartyLogout {
  const subjectOf = (participant: SessionParticipant) => {
    const handle = samlHandleOf(participant)!;
    return { nameId: handle.nameId, nameIdFormat: handle.nameIdFormat, sessionIndex: handle.sessionIndex };
  };
  return {
    channel(participant) {
      const sp = participantSp(broker, participant);
      if (!sp) return "none";
      const channel = logoutChannelOf(spAsLogoutParty(sp));
      return channel === "soap" ? "back" : channel === "browser" ? "frame" : "none";
    },
    logOutBehind(participant, _correlationId, timeoutMs) {
      const sp = participantSp(broker, participant)!;
      return logoutRequestOverSoap(logoutSender(broker), spAsLogoutParty(sp), subjectOf(participant), timeoutMs, broker.xmlLimits);
    },
    request(participant, relayState) {
      const sp = participantSp(broker, participant)!;
      return logoutRequestThroughBrowser(logoutSender(broker), spAsLogoutParty(sp), subjectOf(participant), relayState);
    },
    answerInitiator(initiator, outcome) {
      const { spEntityId, requestId, relayState, asynchronous } = initiator.reply;
      const sp = spEntityId === undefined ? undefined : broker.registry.serviceProviderByEntityId(spEntityId);
      // aslo:Asynchronous: the fagsystem asked for no answer (SAML V2.0 Asynchronous Single Logout Profile Extension)
      if (!sp || requestId === undefined || asynchronous === "true") return undefined;
      const status = outcome === "success" ? { status: STATUS.success } : { status: STATUS.success, subStatus: PARTIAL_LOGOUT, message: "not every party of the session confirmed the logout" };
      return logoutResponseThroughBrowser(logoutSender(broker), spAsLogoutParty(sp), requestId, status, relayState);
    },
    displayName(participant) {
      return participantSp(broker, participant)?.displayName ?? participant.partyId;
    },
  };
}
