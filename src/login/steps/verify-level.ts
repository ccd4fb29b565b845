/**
 * The level proved must meet what the fagsystem requires (its configured
 * level raised by its request), whatever was asked for upstream. A shortfall
 * is refused with NoAuthnContext.
 */
import type { LoginStep } from "../pipeline-types.js";
import { LoginError } from "../../model/login-error.js";
import { describeLevel, describeRequirement, satisfies } from "../../profiles/levels.js";
import { levelTableOf } from "../../config/level-table.js";
import { mappedIdentity } from "./municipal-upstream.js";

export const verifyLevel: LoginStep = (context) => {
  const identity = mappedIdentity(context);
  if (!satisfies(identity.level, context.request.requiredLevel, levelTableOf(context.broker.config))) {
    throw new LoginError(
      "level_too_low",
      `login reached ${describeLevel(identity.level)}; the fagsystem requires ${describeRequirement(context.request.requiredLevel)}`,
      "level_not_met",
      "Dit login har ikke det sikringsniveau, systemet kræver. / Your login does not have the assurance level the system requires.",
    );
  }
  return context;
};
