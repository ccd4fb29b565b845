/**
 * The SAML upstreams (a municipal IdP, NemLog-in) in Single Logout: the
 * "upstream" participants are told at the end of a logout, at top level in
 * the browser (their session cookie is first-party there) or over SOAP; an
 * IdP that begins a logout gets a signed LogoutResponse.
 */
import type { BrokerContext } from "../../broker-context.js";
import type { PartyLogout } from "../../login/logout/logout-ports.js";
import type { SessionParticipant } from "../../model/session-participant.js";
import { isSamlIdp } from "../../trust/registry.js";
import { STATUS } from "../../saml/namespaces.js";
import { PARTIAL_LOGOUT } from "../../saml/logout-messages.js";
import { logoutChannelOf, logoutRequestOverSoap, logoutRequestThroughBrowser, logoutResponseThroughBrowser, type LogoutParty, type LogoutSender } from "../../saml/logout-to-party.js";
import { UPSTREAM_PARTICIPANT } from "../../login/logout/upstream-participant.js";

export interface SamlUpstreamLogoutParty extends LogoutParty {
  id: string;
  displayName: string;
}

/** The registered SAML upstream with this entityID (a municipal IdP or NemLog-in), if any. */
export function samlUpstreamByEntityId(broker: BrokerContext, entityId: string): SamlUpstreamLogoutParty | undefined {
  const nemlogin = broker.registry.nemLogIn();
  if (nemlogin && nemlogin.metadata.entityId === entityId) {
    return { id: nemlogin.id, displayName: nemlogin.displayName, entityId, singleLogoutServices: nemlogin.metadata.singleLogoutServices, signingCertificates: nemlogin.metadata.signingCertificates, allowSha1: nemlogin.policy.allowSha1 };
  }
  const idp = broker.registry.identityProviders().find((candidate) => isSamlIdp(candidate) && candidate.metadata.entityId === entityId);
  if (!idp || !isSamlIdp(idp)) return undefined;
  return { id: idp.id, displayName: idp.displayName, entityId, singleLogoutServices: idp.metadata.singleLogoutServices, signingCertificates: idp.metadata.signingCertificates, allowSha1: idp.policy.allowSha1 };
}

/** The upstream a participant names, as registered now (same id and entityID), if it still is and speaks SAML. */
export function participantUpstream(broker: BrokerContext, participant: SessionParticipant): SamlUpstreamLogoutParty | undefined {
  const issuer = participant.handle["issuer"];
  if (participant.frontend !== UPSTREAM_PARTICIPANT || issuer === undefined) return undefined;
  const party = samlUpstreamByEntityId(broker, issuer);
  return party && party.id === participant.partyId ? party : undefined;
}

export function samlUpstreamPartyLogout(broker: BrokerContext, sender: () => LogoutSender): PartyLogout {
  const subjectOf = (participant: SessionParticipant) => ({
    nameId: participant.handle["nameId"] ?? "",
    nameIdFormat: participant.handle["nameIdFormat"],
    sessionIndex: participant.handle["sessionIndex"],
  });
  return {
    channel(participant) {
      const party = participantUpstream(broker, participant);
      if (!party || participant.handle["nameId"] === undefined) return "none";
      const channel = logoutChannelOf(party);
      return channel === "soap" ? "back" : channel === "browser" ? "top" : "none";
    },
    logOutBehind(participant, _correlationId, timeoutMs) {
      return logoutRequestOverSoap(sender(), participantUpstream(broker, participant)!, subjectOf(participant), timeoutMs, broker.xmlLimits);
    },
    request(participant, relayState) {
      return logoutRequestThroughBrowser(sender(), participantUpstream(broker, participant)!, subjectOf(participant), relayState);
    },
    answerInitiator(initiator, outcome) {
      const { entityId, requestId, relayState, asynchronous } = initiator.reply;
      const party = entityId === undefined ? undefined : samlUpstreamByEntityId(broker, entityId);
      if (!party || requestId === undefined || asynchronous === "true") return undefined;
      const status = outcome === "success" ? { status: STATUS.success } : { status: STATUS.success, subStatus: PARTIAL_LOGOUT, message: "not every fagsystem of the session confirmed the logout" };
      return logoutResponseThroughBrowser(sender(), party, requestId, status, relayState);
    },
    displayName(participant) {
      return participantUpstream(broker, participant)?.displayName ?? broker.registry.identityProvider(participant.partyId)?.displayName ?? participant.partyId;
    },
  };
}
