/**
 * Runs a list of steps after authentication on their own, where no further
 * upstream step can be taken (a step that needs one fails). For tools that
 * judge a finished login without answering anyone, and for testing steps in
 * isolation; logins run the whole table (login-flow.ts).
 */
import type { LoginContext, NamedStep } from "./pipeline-types.js";
import { isUpstreamNeeded } from "./pipeline-types.js";
import { LoginError } from "../model/login-error.js";
import { AFTER_AUTHENTICATION } from "./login-flow.js";

export async function runSteps(context: LoginContext, steps: readonly NamedStep[] = AFTER_AUTHENTICATION): Promise<LoginContext> {
  let current = context;
  for (const step of steps) {
    const result = await step.run(current);
    if (isUpstreamNeeded(result)) throw new LoginError("upstream_needed", `the login needs a further upstream step (${result.upstream}): ${result.reason}`);
    current = result;
  }
  return current;
}
