/**
 * Scoping: whether the test login's AuthnRequest carried Scoping/RequesterID
 * (a SAML IdP registered with `sendScoping`), and whether the IdP accepted it.
 * AD FS, for one, refuses a request with Scoping.
 */
import type { CheckResult, ScopingSent } from "./report-types.js";
import { bi, check } from "./check-kit.js";

const NO_AUTHN_CONTEXT = "urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext";
const TITLE = bi("Scoping (RequesterID)", "Scoping (RequesterID)");

/** How the IdP answered: with an assertion (verified or not), or with an error status and its message. */
export type IdpAnswer = { kind: "answered" } | { kind: "status"; status: string | undefined; message: string };

/** Undefined for an OpenID Connect IdP (no Scoping there). */
export function scopingCheck(scoping: ScopingSent, answer: IdpAnswer): CheckResult | undefined {
  if (!scoping.sent) {
    if (scoping.protocol === "oidc") return undefined;
    return check("request.scoping", "request", TITLE, "pass", bi("Ikke sendt: registreringen sender ikke Scoping (sendScoping: false).", "Not sent: the registration sends no Scoping (sendScoping: false)."));
  }
  const sent = bi(`Forespørgslen havde Scoping med RequesterID ${scoping.requesterId}`, `The request carried Scoping with RequesterID ${scoping.requesterId}`);
  // NoAuthnContext answers the requested level: the request itself, Scoping included, was taken.
  if (answer.kind === "answered" || answer.status === NO_AUTHN_CONTEXT) {
    return check("request.scoping", "request", TITLE, "pass", bi(`${sent.da}, og IdP'en besvarede den.`, `${sent.en}, and the IdP answered it.`));
  }
  return check(
    "request.scoping",
    "request",
    TITLE,
    "fail",
    bi(`${sent.da}, og IdP'en afviste den med en status: ${answer.message}.`, `${sent.en}, and the IdP refused it with a status: ${answer.message}.`),
    bi("Kan IdP'en ikke tage imod Scoping (som AD FS), så bed drift sætte sendScoping: false i registreringen; ellers lad IdP'en acceptere Scoping/RequesterID.", "If the IdP cannot take Scoping (as AD FS cannot), ask the operators to set sendScoping: false in the registration; otherwise have the IdP accept Scoping/RequesterID."),
  );
}
