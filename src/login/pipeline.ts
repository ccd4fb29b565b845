/**
 * The login pipeline, in one table. A login is: choose municipality → choose
 * upstream → authenticate (one or more upstream steps, results merged) → the
 * steps below, in this order → answer the downstream party.
 *
 * Later steps (privilege resolution, filtering, step-up) are added to this
 * table, not bolted on elsewhere.
 */
import type { LoginContext, NamedStep } from "./pipeline-types.js";
import { mapIdentity } from "./steps/map-identity.js";
import { checkOrganisation } from "./steps/check-organisation.js";
import { verifyLevel } from "./steps/verify-level.js";

export const AFTER_AUTHENTICATION: readonly NamedStep[] = [
  { name: "map-identity", run: mapIdentity },
  { name: "check-organisation", run: checkOrganisation },
  { name: "verify-level", run: verifyLevel },
];

export async function runSteps(context: LoginContext, steps: readonly NamedStep[] = AFTER_AUTHENTICATION): Promise<LoginContext> {
  let current = context;
  for (const step of steps) {
    current = await step.run(current);
    context.broker.log.debug({ correlationId: context.request.correlationId, step: step.name }, "login step done");
  }
  return current;
}
