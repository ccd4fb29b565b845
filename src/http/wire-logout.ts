/**
 * Wires Single Logout to its edges, once at start: each kind of participant
 * (fagsystemer over SAML, OIDC clients, the upstreams) to its port. A new
 * protocol is a new entry here, never a branch in the logout core.
 */
import type Provider from "oidc-provider";
import type { BrokerContext } from "../broker-context.js";
import { LogoutService } from "../login/logout/logout-service.js";
import { SsoSessionRepository } from "../login/sso-session.js";
import { UPSTREAM_PARTICIPANT } from "../login/logout/upstream-participant.js";
import { SAML_FRONTEND } from "../frontends/saml-idp/saml-reply.js";
import { logoutSender, samlPartyLogout } from "../frontends/saml-idp/saml-logout.js";
import { OIDC_FRONTEND } from "../frontends/oidc-op/oidc-reply.js";
import { oidcPartyLogout } from "../frontends/oidc-op/oidc-logout.js";
import type { OidcAccounts } from "../frontends/oidc-op/oidc-accounts.js";
import { samlUpstreamPartyLogout } from "../backends/saml-sp/saml-upstream-logout.js";
import { oidcUpstreamPartyLogout, participantOidcIdp } from "../backends/oidc-rp/oidc-upstream-logout.js";
import type { OidcDiscovery } from "../backends/oidc-rp/oidc-discovery.js";
import type { PartyLogout } from "../login/logout/logout-ports.js";
import type { SessionParticipant } from "../model/session-participant.js";

export interface WiredLogout {
  logouts: LogoutService;
  sessions: SsoSessionRepository;
}

/** The upstreams: each by the protocol its IdP is registered with. */
function upstreamLogout(broker: BrokerContext, discovery: OidcDiscovery): PartyLogout {
  const saml = samlUpstreamPartyLogout(broker, () => logoutSender(broker));
  const oidc = oidcUpstreamPartyLogout(broker, discovery);
  const of = (participant: SessionParticipant) => (participantOidcIdp(broker, participant) ? oidc : saml);
  return {
    channel: (participant) => of(participant).channel(participant),
    logOutBehind: (participant, correlationId, timeoutMs) => of(participant).logOutBehind(participant, correlationId, timeoutMs),
    request: (participant, relayState) => of(participant).request(participant, relayState),
    // Only a SAML IdP begins a logout the broker answers.
    answerInitiator: (initiator, outcome) => saml.answerInitiator(initiator, outcome),
    displayName: (participant) => of(participant).displayName(participant),
  };
}

export function wireLogout(broker: BrokerContext, provider: Provider, accounts: OidcAccounts, discovery: OidcDiscovery): WiredLogout {
  const sessions = new SsoSessionRepository(broker.store, broker.config.timing.ssoMaxAgeSeconds, broker.now);
  const logouts = new LogoutService(broker, sessions, {
    parties: {
      [SAML_FRONTEND]: samlPartyLogout(broker),
      [OIDC_FRONTEND]: oidcPartyLogout(broker, provider, accounts),
      [UPSTREAM_PARTICIPANT]: upstreamLogout(broker, discovery),
    },
  });
  return { logouts, sessions };
}
