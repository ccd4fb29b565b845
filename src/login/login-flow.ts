/**
 * The whole login, in one table. Read it top to bottom: each row is one step
 * with one job, and `on` says on which entries it runs:
 *
 *   fresh   a downstream party's request (or the chooser's answer) arrived;
 *   sso     the browser's SSO session answers it, without an upstream trip;
 *   resume  an upstream answered (the municipal IdP, or a further step).
 *
 * A row either hands the (enriched) state to the next row or stops the
 * request with what the browser does next (the chooser page, a redirect to
 * an upstream, the answer to the party). Protocols live behind the ports
 * (ports.ts): no row knows SAML or OIDC.
 *
 * On the sso entry, a refusal by any row after authentication declines the
 * session instead of ending the login: the table runs again as a fresh login
 * from "choose-municipality" (runLogin below).
 */
import type { FlowState, Row, RowResult } from "./flow-types.js";
import { isStop } from "./flow-types.js";
import type { LoginStep, NamedStep } from "./pipeline-types.js";
import { isUpstreamNeeded } from "./pipeline-types.js";
import type { Interaction } from "../model/interaction.js";
import { LoginError } from "../model/login-error.js";
import { ssoReuse } from "./steps/sso-reuse.js";
import { chooseMunicipality } from "./steps/choose-municipality.js";
import { authenticate } from "./steps/authenticate.js";
import { mapIdentity } from "./steps/map-identity.js";
import { checkOrganisation } from "./steps/check-organisation.js";
import { checkRobot } from "./steps/check-robot.js";
import { assessLevel } from "./steps/assess-level.js";
import { stepUpAsk, stepUpBind } from "./steps/step-up.js";
import { verifyLevel } from "./steps/verify-level.js";
import { resolveCpr } from "./steps/resolve-cpr.js";
import { decodePrivileges } from "./steps/decode-privileges.js";
import { resolvePrivileges } from "./steps/resolve-privileges.js";
import { checkPrivilegeScope } from "./steps/check-privilege-scope.js";
import { translatePrivileges } from "./steps/translate-privileges.js";
import { explainPrivileges } from "./steps/explain-privileges.js";
import { rememberSession } from "./steps/remember-session.js";
import { answer } from "./steps/answer.js";
import { toFurtherUpstream } from "./steps/further-upstream.js";
import { inSpan } from "../observability/tracing.js";

const FRESH = ["fresh"] as const;
const AUTHENTICATED = ["sso", "resume"] as const;
const RESUMED = ["resume"] as const;

/** A step after authentication as a row: a step that needs a further upstream sends the person there. */
function afterAuthentication(step: LoginStep): Row["run"] {
  return async (state) => {
    const result = await state.timer.time("map", () => step(state));
    if (isUpstreamNeeded(result)) return toFurtherUpstream(state, result);
    return { ...state, ...result };
  };
}

/** The steps after authentication, in order: they run on the sso and resume entries. */
export const AFTER_AUTHENTICATION: readonly NamedStep[] = [
  // Who: person or robot, organisation, the level asserted (neutral claims from the backend).
  { name: "map-identity", run: mapIdentity },
  // Federation: the IdP may issue tokens only for the CVRs it is registered for.
  { name: "check-organisation", run: checkOrganisation },
  // Robots only where the party requires a NIST level, never NSIS.
  { name: "check-robot", run: checkRobot },
  // Level: what was proved (the assertion capped to the IdP's registration) ...
  { name: "assess-level", run: assessLevel },
  // ... step-up, asking: short of the requirement, and the IdP may step up: a further upstream (NemLog-in) next ...
  { name: "step-up-ask", run: stepUpAsk },
  // ... step-up, binding: NemLog-in answered: same person, same organisation, then its level counts ...
  { name: "step-up-bind", run: stepUpBind },
  // ... and whether the merged level meets the party's requirement.
  { name: "verify-level", run: verifyLevel },
  // The CPR rule: a party whose profile carries the CPR (SEB) gets one or the login is refused; every other party never does.
  { name: "resolve-cpr", run: resolveCpr },
  // Privileges: the IdP's OIO-BPP, or the attribute service's (the privilege source port), then the
  // scope rule, translation into this party's user-system roles, and the explanation.
  { name: "decode-privileges", run: decodePrivileges },
  { name: "resolve-privileges", run: resolvePrivileges },
  { name: "check-privilege-scope", run: checkPrivilegeScope },
  { name: "translate-privileges", run: translatePrivileges },
  { name: "explain-privileges", run: explainPrivileges },
];

export const LOGIN_TABLE: readonly Row[] = [
  // Before authentication (fresh): reuse the browser's session, or find the municipality and go to its IdP.
  { name: "sso-reuse", on: FRESH, run: ssoReuse },
  { name: "choose-municipality", on: FRESH, run: chooseMunicipality },
  { name: "authenticate", on: FRESH, run: authenticate },
  // After authentication (sso, resume): the steps above, in order.
  ...AFTER_AUTHENTICATION.map((step): Row => ({ name: step.name, on: AUTHENTICATED, run: afterAuthentication(step.run) })),
  // A fresh authentication starts an SSO session; then the party's frontend answers.
  { name: "remember-session", on: RESUMED, run: rememberSession },
  { name: "answer", on: AUTHENTICATED, run: answer },
];

export interface LoginOutcome {
  interaction: Interaction;
  state: FlowState;
  /** The row that stopped the request. */
  stoppedAt: string;
}

/** The state a login had reached when a row refused it (for its audit record). */
const refusedAt = new WeakMap<LoginError, FlowState>();

export function stateWhenRefused(error: LoginError): FlowState | undefined {
  return refusedAt.get(error);
}

/**
 * Runs the table's rows for the state's entry, from `from` (a row name) on.
 * On the sso entry a refusal by a later row declines the session: the login
 * goes on as a fresh one from "choose-municipality" (the IdP authenticates).
 */
export async function runLogin(state: FlowState, from: string = LOGIN_TABLE[0]!.name, table: readonly Row[] = LOGIN_TABLE): Promise<LoginOutcome> {
  let current: FlowState = state;
  let index = table.findIndex((row) => row.name === from);
  if (index < 0) throw new LoginError("no_such_row", `the login table has no row ${from}`);
  for (; index < table.length; index++) {
    const row = table[index]!;
    if (!row.on.includes(current.entry)) continue;
    let result: RowResult;
    try {
      const state = current;
      result = await inSpan(`login.${row.name}`, { correlationId: state.request.correlationId, "login.entry": state.entry, "login.sp": state.request.downstream.partyId }, () => row.run(state));
    } catch (error) {
      if (error instanceof LoginError && current.entry !== "sso") refusedAt.set(error, current);
      if (!(error instanceof LoginError) || current.entry !== "sso") throw error;
      current.broker.log.info(
        { correlationId: current.request.correlationId, event: "sso_declined", reason: error.reason, step: row.name, sp: current.request.downstream.partyId },
        "SSO session not sufficient for this party; authenticating upstream",
      );
      current = { ...current, entry: "fresh", session: undefined, upstreams: [], identity: undefined };
      index = table.findIndex((r) => r.name === "choose-municipality") - 1;
      continue;
    }
    if (isStop(result)) return { interaction: result.stop, state: current, stoppedAt: row.name };
    current = result;
    current.broker.log.debug({ correlationId: current.request.correlationId, step: row.name, entry: current.entry }, "login step done");
  }
  throw new LoginError("no_answer", "the login table ended without an answer");
}
