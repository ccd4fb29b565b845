/** The level actually asserted must meet what the fagsystem requires, whatever was asked for upstream. */
import type { LoginStep } from "../pipeline-types.js";
import { LoginError } from "../login-error.js";
import { describeRequirement, satisfies } from "../../profiles/levels.js";
import { STATUS } from "../../saml/namespaces.js";

export const verifyLevel: LoginStep = (context) => {
  const identity = context.identity;
  if (!identity) throw new LoginError("no_identity", "identity has not been mapped");
  if (!satisfies(identity.level, context.request.requiredLevel)) {
    const reached = [identity.level.nsis && `NSIS ${identity.level.nsis}`, identity.level.nist && `NIST ${identity.level.nist}`].filter(Boolean).join(", ") || "none";
    throw new LoginError(
      "level_too_low",
      `login reached ${reached}; the fagsystem requires ${describeRequirement(context.request.requiredLevel)}`,
      STATUS.responder,
      STATUS.noAuthnContext,
      "Dit login har ikke det sikringsniveau, systemet kræver. / Your login does not have the assurance level the system requires.",
    );
  }
  return context;
};
