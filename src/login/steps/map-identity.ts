/** Merges the upstream results into one Identity. The municipal step gives person, organisation and privileges. */
import type { LoginStep } from "../pipeline-types.js";
import { LoginError } from "../login-error.js";
import { ProfileError, readCvr, readPerson, readPrivileges } from "../../profiles/oiosaml3-profile.js";
import { STATUS } from "../../saml/namespaces.js";

export const mapIdentity: LoginStep = (context) => {
  const municipal = context.upstreams.find((u) => u.kind === "municipal-idp");
  if (!municipal) throw new LoginError("no_municipal_login", "no municipal authentication in this login");
  const idp = context.broker.registry.identityProvider(municipal.upstreamId);
  if (!idp) throw new LoginError("idp_gone", `IdP ${municipal.upstreamId} is no longer registered`);
  try {
    const cvr = readCvr(municipal.attributes) ?? idp.cvr;
    const person = readPerson(municipal.nameId, municipal.nameIdFormat, municipal.attributes);
    return {
      ...context,
      identity: {
        person,
        organisation: { cvr, name: context.broker.registry.organisationName(cvr) ?? idp.displayName },
        level: municipal.level,
        privilegesBase64: readPrivileges(municipal.attributes),
        authnInstant: municipal.authnInstant,
        authenticatingAuthorities: context.upstreams.map((u) => u.issuer),
        evidence: context.upstreams.map((u) => ({ upstreamId: u.upstreamId, issuer: u.issuer, assertionId: u.assertionId, authnInstant: u.authnInstant })),
      },
    };
  } catch (error) {
    if (error instanceof ProfileError) {
      throw new LoginError(error.reason, `IdP ${idp.id} sent unusable attributes: ${error.message}`, STATUS.responder, STATUS.authnFailed);
    }
    throw error;
  }
};
