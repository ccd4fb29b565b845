/**
 * A municipal IdP over OpenID Connect (Entra ID) in Single Logout: the
 * browser goes to its end_session_endpoint (RP-initiated logout) at top
 * level, with the broker's post-logout address and the request's id as
 * `state`; coming back with that state is the IdP's answer. An IdP whose
 * discovery names no end_session_endpoint cannot be told (reported as such).
 */
import * as oidc from "openid-client";
import type { BrokerContext } from "../../broker-context.js";
import type { PartyLogout } from "../../login/logout/logout-ports.js";
import { UPSTREAM_PARTICIPANT } from "../../login/logout/upstream-participant.js";
import type { SessionParticipant } from "../../model/session-participant.js";
import type { OidcIdentityProvider } from "../../trust/registry.js";
import { newId } from "../../login/login-state.js";
import type { OidcDiscovery } from "./oidc-discovery.js";

export const OIDC_POST_LOGOUT_PATH = "/oidc-rp/logged-out";

export function participantOidcIdp(broker: BrokerContext, participant: SessionParticipant): OidcIdentityProvider | undefined {
  const idp = broker.registry.identityProvider(participant.partyId);
  return participant.frontend === UPSTREAM_PARTICIPANT && idp && idp.protocol === "oidc" ? idp : undefined;
}

export function oidcUpstreamPartyLogout(broker: BrokerContext, discovery: OidcDiscovery): PartyLogout {
  const endSessionOf = async (idp: OidcIdentityProvider): Promise<oidc.Configuration | undefined> => {
    const config = await discovery.configuration(idp).catch(() => undefined);
    return config?.serverMetadata().end_session_endpoint === undefined ? undefined : config;
  };
  return {
    // Decided from the registration; an IdP whose discovery names no end_session_endpoint is found out (and reported) when the browser would be sent.
    channel(participant) {
      return participantOidcIdp(broker, participant) ? "top" : "none";
    },
    logOutBehind() {
      return Promise.reject(new Error("an OpenID Connect IdP is logged out through the browser"));
    },
    async request(participant, _relayState) {
      const idp = participantOidcIdp(broker, participant)!;
      const config = await endSessionOf(idp);
      if (!config) throw new Error(`${idp.id} names no end_session_endpoint in its discovery`);
      const state = newId("lo_");
      const url = oidc.buildEndSessionUrl(config, { client_id: idp.policy.clientId, post_logout_redirect_uri: `${broker.urls.base}${OIDC_POST_LOGOUT_PATH}`, state });
      return { interaction: { kind: "redirect", url: url.href }, requestId: state };
    },
    answerInitiator() {
      return undefined;
    },
    displayName(participant) {
      return participantOidcIdp(broker, participant)?.displayName ?? participant.partyId;
    },
  };
}
