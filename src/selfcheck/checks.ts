/**
 * The self-check's checks: pure functions over a verified upstream answer,
 * the IdP's metadata and its registration. Each returns pass / warn / fail
 * with the reason and what to do, Danish first, English alongside.
 */
import type { CheckResult } from "./report-types.js";
import type { RegistrationInput, SelfCheckInput } from "./check-kit.js";
import { ANSWER_VERIFIED, algorithmChecks, clockChecks, observedAlgorithmChecks, trustChecks } from "./trust-checks.js";
import { identityChecks, organisationChecks } from "./identity-checks.js";
import { kombitSpecVersionChecks, nameFormatChecks } from "./attribute-format-checks.js";
import { privilegeChecks } from "./privilege-checks.js";
import { attributeServiceChecks } from "./attribute-service-checks.js";
import { levelChecks } from "./level-checks.js";
import { requestedLevelCheck } from "./request-checks.js";
import { scopingCheck } from "./scoping-check.js";

export type { RegistrationInput, SelfCheckInput } from "./check-kit.js";
export { EXPIRY_WARNING_DAYS } from "./trust-checks.js";

/** The checks that need no login (the CLI without a browser). */
export function registrationChecks(input: RegistrationInput): CheckResult[] {
  return [...trustChecks(input), ...algorithmChecks(input)];
}

export function allChecks(input: SelfCheckInput): CheckResult[] {
  const scoping = input.scoping ? scopingCheck(input.scoping, { kind: "answered" }) : undefined;
  return [ANSWER_VERIFIED, ...trustChecks(input), ...(scoping ? [scoping] : []), ...observedAlgorithmChecks(input), ...identityChecks(input), ...nameFormatChecks(input), ...kombitSpecVersionChecks(input), ...organisationChecks(input), ...privilegeChecks(input), ...attributeServiceChecks(input), ...levelChecks(input), ...(input.requested ? [requestedLevelCheck(input.requested, input.result.level)] : []), ...clockChecks(input)];
}
