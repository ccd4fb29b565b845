/** The report from the checks, with the test person's data as sent (kept only with the report). */
import { allChecks, type SelfCheckInput } from "./checks.js";
import { worst, type SelfCheckReport } from "./report-types.js";

export function buildReport(idp: SelfCheckReport["idp"], input: SelfCheckInput, now: number): SelfCheckReport {
  const checks = allChecks(input);
  return {
    idp,
    at: new Date(now).toISOString(),
    overall: worst(checks.map((c) => c.verdict)),
    checks,
    person: { nameId: input.result.nameId, nameIdFormat: input.result.nameIdFormat, attributes: input.result.attributes.map((a) => ({ name: a.name, values: [...a.values] })) },
  };
}
