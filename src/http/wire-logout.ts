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

export interface WiredLogout {
  logouts: LogoutService;
  sessions: SsoSessionRepository;
}

export function wireLogout(broker: BrokerContext, provider: Provider, accounts: OidcAccounts): WiredLogout {
  const sessions = new SsoSessionRepository(broker.store, broker.config.timing.ssoMaxAgeSeconds, broker.now);
  const logouts = new LogoutService(broker, sessions, {
    parties: {
      [SAML_FRONTEND]: samlPartyLogout(broker),
      [OIDC_FRONTEND]: oidcPartyLogout(broker, provider, accounts),
      [UPSTREAM_PARTICIPANT]: samlUpstreamPartyLogout(broker, () => logoutSender(broker)),
    },
  });
  return { logouts, sessions };
}
