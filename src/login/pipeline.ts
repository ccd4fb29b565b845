/**
 * The login pipeline, in one table. A login is: choose municipality → choose
 * upstream → authenticate (one or more upstream steps, results merged) → the
 * steps below, in this order → answer the downstream party.
 *
 * Later steps (step-up, privileges from an attribute service) are added to
 * this table, not bolted on elsewhere.
 */
import { isUpstreamNeeded, type LoginContext, type NamedStep, type PipelineOutcome } from "./pipeline-types.js";
import { LoginError } from "./login-error.js";
import { stepUp } from "./steps/step-up.js";
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
  // ... step-up: when the proved level falls short of the requirement and the IdP supports
  // step-up, hand over to NemLog-in as a further upstream step; when NemLog-in has answered,
  // bind it to the same person and organisation and take its level. The merged result then
  // meets verify-level below.
  { name: "step-up", run: stepUp },
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

/** Runs the steps in order until one needs a further upstream step, or all are done and the identity is complete. */
export async function runPipeline(context: LoginContext, steps: readonly NamedStep[] = AFTER_AUTHENTICATION): Promise<PipelineOutcome> {
  let current = context;
  for (const step of steps) {
    const result = await step.run(current);
    if (isUpstreamNeeded(result)) {
      context.broker.log.debug({ correlationId: context.request.correlationId, step: step.name, upstream: result.upstream }, "login step needs a further upstream step");
      return { kind: "upstream-needed", context: current, need: result };
    }
    current = result;
    context.broker.log.debug({ correlationId: context.request.correlationId, step: step.name }, "login step done");
  }
  if (!current.identity) throw new LoginError("no_identity", "the login steps produced no identity");
  return { kind: "identity", context: current, identity: current.identity };
}

/** Runs the steps where no further upstream step can be taken: a step that needs one fails the login. */
export async function runSteps(context: LoginContext, steps: readonly NamedStep[] = AFTER_AUTHENTICATION): Promise<LoginContext> {
  const outcome = await runPipeline(context, steps);
  if (outcome.kind === "upstream-needed") throw new LoginError("upstream_needed", `the login needs a further upstream step (${outcome.need.upstream}): ${outcome.need.reason}`);
  return outcome.context;
}
