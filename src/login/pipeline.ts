/**
 * The login pipeline, in one table. A login is: choose municipality → choose
 * upstream → authenticate (one or more upstream steps, results merged) → the
 * steps below, in this order → answer the downstream party.
 *
 * Later steps (step-up, privileges from an attribute service) are added to
 * this table, not bolted on elsewhere.
 */
import type { LoginContext, NamedStep } from "./pipeline-types.js";
import { mapIdentity } from "./steps/map-identity.js";
import { checkOrganisation } from "./steps/check-organisation.js";
import { checkRobot } from "./steps/check-robot.js";
import { assessLevel } from "./steps/assess-level.js";
import { verifyLevel } from "./steps/verify-level.js";
import { decodePrivileges } from "./steps/decode-privileges.js";
import { resolvePrivileges } from "./steps/resolve-privileges.js";
import { checkPrivilegeScope } from "./steps/check-privilege-scope.js";
import { translatePrivileges } from "./steps/translate-privileges.js";
import { explainPrivileges } from "./steps/explain-privileges.js";

export const AFTER_AUTHENTICATION: readonly NamedStep[] = [
  // Who: person or robot, organisation, the level asserted, the raw privileges.
  { name: "map-identity", run: mapIdentity },
  // Federation: the IdP may issue tokens only for the CVRs it is registered for.
  { name: "check-organisation", run: checkOrganisation },
  // Robots only where the fagsystem requires a NIST level, never NSIS.
  { name: "check-robot", run: checkRobot },
  // Level: what was proved (the assertion capped to the IdP's registration) ...
  { name: "assess-level", run: assessLevel },
  // ... step-up goes here: when the proved level falls short of the requirement and the
  // IdP supports step-up, hand over to NemLog-in as a further upstream step; the merged
  // result then meets verify-level below.
  // ... and whether it meets the fagsystem's requirement (NoAuthnContext if not).
  { name: "verify-level", run: verifyLevel },
  // Privileges: read the IdP's OIO-BPP, keep what the asserted organisation may carry,
  // translate job-function roles into this fagsystem's user-system roles, explain.
  { name: "decode-privileges", run: decodePrivileges },
  // ... and, where the municipality's privileges come from an attribute service, ask it
  // (replacing or merged with the IdP's), before the same scope rule and translation.
  { name: "resolve-privileges", run: resolvePrivileges },
  { name: "check-privilege-scope", run: checkPrivilegeScope },
  { name: "translate-privileges", run: translatePrivileges },
  { name: "explain-privileges", run: explainPrivileges },
];

export async function runSteps(context: LoginContext, steps: readonly NamedStep[] = AFTER_AUTHENTICATION): Promise<LoginContext> {
  let current = context;
  for (const step of steps) {
    current = await step.run(current);
    context.broker.log.debug({ correlationId: context.request.correlationId, step: step.name }, "login step done");
  }
  return current;
}
