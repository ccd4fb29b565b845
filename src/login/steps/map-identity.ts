/** Merges the upstream results into one Identity. The municipal step gives person, organisation, level and (raw) privileges. */
import type { LoginStep } from "../pipeline-types.js";
import { LoginError } from "../login-error.js";
import { ProfileError, readCvr, readPerson } from "../../profiles/oiosaml3-profile.js";
import { subjectKind } from "../../profiles/robot.js";
import { STATUS } from "../../saml/namespaces.js";
import { municipalUpstream } from "./municipal-upstream.js";

export const mapIdentity: LoginStep = (context) => {
  const { upstream: municipal, idp } = municipalUpstream(context);
  try {
    const cvr = readCvr(municipal.attributes) ?? idp.cvr;
    const person = readPerson(municipal.nameId, municipal.nameIdFormat, municipal.attributes);
    return {
      ...context,
      identity: {
        subject: subjectKind(idp.policy.robot, municipal.nameId, municipal.attributes),
        person,
        // orgName comes from the broker's own register, never from the IdP.
        organisation: { cvr, name: context.broker.registry.organisationName(cvr) ?? idp.displayName },
        level: municipal.level,
        privileges: { stage: "not-read" },
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
