/** The report from the checks, with the test person's data as sent (kept only with the report). */
import { allChecks, registrationChecks, type RegistrationInput, type SelfCheckInput } from "./checks.js";
import { requestedLevelStatusCheck } from "./request-checks.js";
import { scopingCheck } from "./scoping-check.js";
import { worst, type CheckResult, type RequestedLevel, type ScopingSent, type SelfCheckReport } from "./report-types.js";

const NO_PERSON: SelfCheckReport["person"] = { nameId: "", nameIdFormat: undefined, attributes: [] };

export function buildReport(idp: SelfCheckReport["idp"], input: SelfCheckInput, now: number): SelfCheckReport {
  const checks = allChecks(input);
  return {
    idp,
    at: new Date(now).toISOString(),
    scope: "login",
    overall: worst(checks.map((c) => c.verdict)),
    checks,
    requested: input.requested,
    scoping: input.scoping,
    person: { nameId: input.result.nameId, nameIdFormat: input.result.nameIdFormat, attributes: input.result.attributes.map((a) => ({ name: a.name, values: [...a.values] })) },
  };
}

/** The report of what can be checked without a login (the CLI): no person. */
export function buildRegistrationReport(idp: SelfCheckReport["idp"], input: RegistrationInput): SelfCheckReport {
  const checks = registrationChecks(input);
  return { idp, at: new Date(input.now).toISOString(), scope: "registration", overall: worst(checks.map((c) => c.verdict)), checks, person: NO_PERSON };
}

/** Why the IdP's answer could not be used: the reason code, the status it answered with (if any) and its message. */
export interface AnswerFailure {
  reason: string;
  status: string | undefined;
  message: string;
}

const NOT_USABLE_FIX = {
  da: "Kontrollér at IdP'en har brokerens aktuelle metadata, at den signerer med certifikatet i sin metadata, og at svaret går til brokerens ACS-adresse.",
  en: "Check that the IdP has the broker's current metadata, signs with the certificate in its own metadata, and sends the answer to the broker's ACS address.",
};

/**
 * The IdP's answer could not be verified or used. A status answer (no
 * assertion) to a requested level is read as the IdP's answer to that
 * request: NoAuthnContext says it understood it; any other failure also
 * fails "trust both ways" with the reason. A status answer to a request
 * carrying Scoping says whether the IdP took Scoping.
 */
export function buildFailedReport(idp: SelfCheckReport["idp"], failure: AnswerFailure, request: { requested?: RequestedLevel | undefined; scoping?: ScopingSent | undefined }, now: number): SelfCheckReport {
  const { requested, scoping } = request;
  const status = failure.reason === "upstream_status" ? failure.status : undefined;
  const levelCheck = requested && failure.reason === "upstream_status" ? requestedLevelStatusCheck(requested, status, failure.message) : undefined;
  const answeredTheLevel = levelCheck !== undefined && status === "urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext";
  const checks: CheckResult[] = [];
  if (!answeredTheLevel) {
    checks.push({
      id: "trust.answer-verified",
      area: "trust",
      verdict: "fail",
      title: { da: "Tillid begge veje", en: "Trust both ways" },
      reason: { da: `IdP'ens svar kunne ikke bruges (${failure.reason}${status ? `: ${failure.message}` : ""}).`, en: `The IdP's answer could not be used (${failure.reason}${status ? `: ${failure.message}` : ""}).` },
      fix: NOT_USABLE_FIX,
    });
  }
  const scopingResult = scoping && scopingCheck(scoping, failure.reason === "upstream_status" ? { kind: "status", status, message: failure.message } : { kind: "answered" });
  if (scopingResult) checks.push(scopingResult);
  if (levelCheck) checks.push(levelCheck);
  return { idp, at: new Date(now).toISOString(), scope: "login", overall: worst(checks.map((c) => c.verdict)), checks, requested, scoping, person: NO_PERSON };
}
