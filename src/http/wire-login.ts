/**
 * Wires the login core to its edges, once at start: the frontends by name,
 * the upstream for each municipal IdP, the further upstreams (step-up) by
 * name, the privilege source. A new protocol is a new entry here, never a
 * branch in the core.
 */
import type { BrokerContext } from "../broker-context.js";
import type { LoginPorts } from "../login/ports.js";
import { LoginService } from "../login/login-service.js";
import { LoginStateRepository } from "../login/login-state.js";
import { samlFrontend } from "../frontends/saml-idp/saml-frontend.js";
import { SAML_FRONTEND } from "../frontends/saml-idp/saml-reply.js";
import { SamlUpstream } from "../backends/saml-sp/saml-upstream.js";
import { NemLogInUpstream } from "../backends/nemlogin/nemlogin-upstream.js";
import { attributeServicePrivileges } from "../backends/attribute-service/privilege-source.js";

export interface WiredLogin {
  logins: LoginService;
  ports: LoginPorts;
  /** The SAML SP backend: its ACS route hands verified answers to the core. */
  samlUpstream: SamlUpstream;
}

export function wireLogin(broker: BrokerContext): WiredLogin {
  // One login-state repository, sealing earlier upstream results with the broker's secret.
  const states = new LoginStateRepository(broker.store, broker.config.timing.loginTtlSeconds, broker.cookieSecret);
  const samlUpstream = new SamlUpstream(broker, states);
  const ports: LoginPorts = {
    frontends: { [SAML_FRONTEND]: samlFrontend(broker) },
    municipalUpstream: () => samlUpstream,
    furtherUpstreams: { nemlogin: new NemLogInUpstream(samlUpstream, broker.registry) },
    privileges: attributeServicePrivileges(broker),
  };
  return { logins: new LoginService(broker, ports, states), ports, samlUpstream };
}
