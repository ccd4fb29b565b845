/** The report from the checks, with the test person's data as sent (kept only with the report). */
import { allChecks, registrationChecks, type RegistrationInput, type SelfCheckInput } from "./checks.js";
import { worst, type SelfCheckReport } from "./report-types.js";

export function buildReport(idp: SelfCheckReport["idp"], input: SelfCheckInput, now: number): SelfCheckReport {
  const checks = allChecks(input);
  return {
    idp,
    at: new Date(now).toISOString(),
    scope: "login",
    overall: worst(checks.map((c) => c.verdict)),
    checks,
    person: { nameId: input.result.nameId, nameIdFormat: input.result.nameIdFormat, attributes: input.result.attributes.map((a) => ({ name: a.name, values: [...a.values] })) },
  };
}

/** The report of what can be checked without a login (the CLI): no person. */
export function buildRegistrationReport(idp: SelfCheckReport["idp"], input: RegistrationInput): SelfCheckReport {
  const checks = registrationChecks(input);
  return { idp, at: new Date(input.now).toISOString(), scope: "registration", overall: worst(checks.map((c) => c.verdict)), checks, person: { nameId: "", nameIdFormat: undefined, attributes: [] } };
}
