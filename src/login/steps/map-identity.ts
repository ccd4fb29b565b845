/**
 * Merges the upstream results into one Identity. The municipal step gives
 * person, organisation, level and the privileges as sent; the backend has
 * already read them from its protocol into neutral claims.
 */
import type { LoginStep } from "../pipeline-types.js";
import { LoginError } from "../../model/login-error.js";
import { municipalUpstream } from "./municipal-upstream.js";

export const mapIdentity: LoginStep = (context) => {
  const { upstream: municipal, idp } = municipalUpstream(context);
  if (!municipal.claims.readable) {
    throw new LoginError(municipal.claims.reason, `IdP ${idp.id} sent unusable attributes: ${municipal.claims.detail}`, "authentication_failed");
  }
  const claimed = municipal.claims.identity;
  const cvr = claimed.cvr ?? idp.cvr;
  return {
    ...context,
    identity: {
      subject: claimed.subject,
      person: claimed.person,
      // orgName comes from the broker's own register, never from the IdP.
      organisation: { cvr, name: context.broker.registry.organisationName(cvr) ?? idp.displayName },
      level: municipal.level,
      privileges: { stage: "not-read" },
      authnInstant: municipal.authnInstant,
      authenticatingAuthorities: context.upstreams.map((u) => u.issuer),
      evidence: context.upstreams.map((u) => ({ upstreamId: u.upstreamId, issuer: u.issuer, assertionId: u.assertionId, authnInstant: u.authnInstant })),
    },
  };
};
