/** The municipal IdP's result in this login and the IdP's current registration. Shared by the steps that need both. */
import type { LoginContext } from "../pipeline-types.js";
import type { Identity } from "../../model/identity.js";
import type { UpstreamResult } from "../../model/upstream-result.js";
import type { IdentityProvider } from "../../trust/registry.js";
import { LoginError } from "../../model/login-error.js";

export function municipalUpstream(context: LoginContext): { upstream: UpstreamResult; idp: IdentityProvider } {
  const upstream = context.upstreams.find((u) => u.kind === "municipal-idp");
  if (!upstream) throw new LoginError("no_municipal_login", "no municipal authentication in this login");
  const idp = context.broker.registry.identityProvider(upstream.upstreamId);
  if (!idp) throw new LoginError("idp_gone", `IdP ${upstream.upstreamId} is no longer registered`);
  return { upstream, idp };
}

export function mappedIdentity(context: LoginContext): Identity {
  if (!context.identity) throw new LoginError("no_identity", "identity has not been mapped");
  return context.identity;
}
