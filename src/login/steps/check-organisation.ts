/**
 * Federation: the IdP may only issue tokens for the CVRs it is registered
 * for (the real Context Handler's "Anvenderkontekster"). Any other asserted
 * CVR is refused with status Responder, as the real broker does.
 */
import type { LoginStep } from "../pipeline-types.js";
import { LoginError } from "../../model/login-error.js";
import { mappedIdentity, municipalUpstream } from "./municipal-upstream.js";

export const checkOrganisation: LoginStep = (context) => {
  const identity = mappedIdentity(context);
  const { idp } = municipalUpstream(context);
  const cvr = identity.organisation.cvr;
  if (!idp.policy.cvrs.includes(cvr)) {
    throw new LoginError(
      "cvr_not_allowed",
      `IdP ${idp.id} is not allowed to issue tokens for context ${cvr}`,
      "denied",
      `${idp.displayName} må ikke logge brugere ind for organisationen med CVR ${cvr}. Kontakt din kommunes it-afdeling. / ${idp.displayName} may not log users in for the organisation with CVR ${cvr}. Contact your municipality's IT department.`,
    );
  }
  return context;
};
