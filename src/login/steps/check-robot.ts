/**
 * Robots (RPA system users, recognised by the IdP's registration) reach
 * fagsystemer that require a NIST level; a fagsystem that requires an NSIS
 * level refuses them, as NSIS allows no robots through the user interface
 * (NoAuthnContext: the required context cannot be met for this subject).
 */
import type { LoginStep } from "../pipeline-types.js";
import { LoginError } from "../../model/login-error.js";
import { robotAllowed } from "../../profiles/robot.js";
import { describeRequirement } from "../../profiles/levels.js";
import { mappedIdentity, municipalUpstream } from "./municipal-upstream.js";

export const checkRobot: LoginStep = (context) => {
  const identity = mappedIdentity(context);
  if (!robotAllowed(identity.subject, context.request.requiredLevel)) {
    const { idp } = municipalUpstream(context);
    throw new LoginError(
      "robot_not_allowed",
      `IdP ${idp.id} logged in a robot; fagsystem ${context.request.downstream.partyId} requires ${describeRequirement(context.request.requiredLevel)}, which robots cannot use`,
      "level_not_met",
      "Robotbrugere kan ikke logge ind på et system, der kræver et NSIS-sikringsniveau; brug systemets API. / Robot users cannot log in to a system that requires an NSIS assurance level; use the system's API.",
    );
  }
  return context;
};
