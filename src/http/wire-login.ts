/**
 * Wires the login core to its edges, once at start: the frontends by name,
 * the upstream for each municipal IdP, the further upstreams (step-up) by
 * name, the privilege source. A new protocol is a new entry here, never a
 * branch in the core.
 */
import type { BrokerContext } from "../broker-context.js";
import type { LoginPorts } from "../login/ports.js";
import { LoginService } from "../login/login-service.js";
import { upstreamBindingEnforced } from "../login/browser-binding.js";
import { nemLogInArchive } from "../observability/message-archive.js";
import { LoginStateRepository } from "../login/login-state.js";
import { samlFrontend } from "../frontends/saml-idp/saml-frontend.js";
import { SAML_FRONTEND } from "../frontends/saml-idp/saml-reply.js";
import { SamlUpstream } from "../backends/saml-sp/saml-upstream.js";
import { OidcUpstream } from "../backends/oidc-rp/oidc-upstream.js";
import { NemLogInUpstream } from "../backends/nemlogin/nemlogin-upstream.js";
import { attributeServicePrivileges } from "../backends/attribute-service/privilege-source.js";
import { oidcFrontend } from "../frontends/oidc-op/oidc-frontend.js";
import { OIDC_FRONTEND } from "../frontends/oidc-op/oidc-reply.js";
import { OidcAccounts } from "../frontends/oidc-op/oidc-accounts.js";
import { InteractionOutcomes } from "../frontends/oidc-op/interaction-outcome.js";
import { UserRecordStore } from "../backends/user-store/user-records.js";

export interface WiredLogin {
  logins: LoginService;
  ports: LoginPorts;
  /** The SAML SP backend: its ACS route hands verified answers to the core. */
  samlUpstream: SamlUpstream;
  /** The OIDC RP backend: its callback route hands verified answers to the core. */
  oidcUpstream: OidcUpstream;
  /** The OIDC frontend's stores: what each client was given, and finished logins waiting for their interaction. */
  oidc: { accounts: OidcAccounts; outcomes: InteractionOutcomes };
}

export function wireLogin(broker: BrokerContext): WiredLogin {
  // One login-state repository, sealing earlier upstream results with the broker's secret.
  const bindUpstreamSteps = upstreamBindingEnforced(broker.config.upstreamBrowserBinding, broker.urls.base);
  const states = new LoginStateRepository(broker.store, broker.config.timing.loginTtlSeconds, broker.cookieSecret, bindUpstreamSteps);
  const samlUpstream = new SamlUpstream(broker, states, { nemlogin: nemLogInArchive(broker) });
  const oidcUpstream = new OidcUpstream(broker, states);
  const oidc = { accounts: new OidcAccounts(broker.store), outcomes: new InteractionOutcomes(broker.store, broker.cookieSecret, broker.config.timing.loginTtlSeconds) };
  const ports: LoginPorts = {
    frontends: { [SAML_FRONTEND]: samlFrontend(broker), [OIDC_FRONTEND]: oidcFrontend(broker, oidc.accounts, oidc.outcomes) },
    municipalUpstream: (idp) => (idp.protocol === "oidc" ? oidcUpstream : samlUpstream),
    furtherUpstreams: { nemlogin: new NemLogInUpstream(samlUpstream, () => broker.registry) },
    privileges: attributeServicePrivileges(broker),
    ...(broker.config.userStore ? { userRecords: new UserRecordStore(broker.store, broker.config.userStore.recordTtlSeconds) } : {}),
  };
  return { logins: new LoginService(broker, ports, states), ports, samlUpstream, oidcUpstream, oidc };
}
