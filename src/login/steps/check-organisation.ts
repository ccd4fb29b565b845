/** The IdP may only issue tokens for the CVRs it is registered for (the real Context Handler's "Anvenderkontekster"). */
import type { LoginStep } from "../pipeline-types.js";
import { LoginError } from "../login-error.js";
import { STATUS } from "../../saml/namespaces.js";

export const checkOrganisation: LoginStep = (context) => {
  const identity = context.identity;
  if (!identity) throw new LoginError("no_identity", "identity has not been mapped");
  const municipal = context.upstreams.find((u) => u.kind === "municipal-idp");
  const idp = municipal ? context.broker.registry.identityProvider(municipal.upstreamId) : undefined;
  if (!idp || !idp.policy.cvrs.includes(identity.organisation.cvr)) {
    throw new LoginError(
      "cvr_not_allowed",
      `IdP ${idp?.id ?? "?"} is not allowed to issue tokens for context ${identity.organisation.cvr}`,
      STATUS.responder,
      STATUS.requestDenied,
    );
  }
  return context;
};
