/**
 * What the self-check asked of the IdP, and how the IdP took it: the
 * requested level (RequestedAuthnContext / acr_values, per the registration),
 * whether the answer met it, ignored it, or was a status such as
 * NoAuthnContext.
 */
import { describeLevel, satisfies, type ReachedLevel } from "../profiles/levels.js";
import type { Bilingual, CheckResult, RequestedLevel } from "./report-types.js";
import { bi, check } from "./check-kit.js";

const NO_AUTHN_CONTEXT = "urn:oasis:names:tc:SAML:2.0:status:NoAuthnContext";
const TITLE = bi("Bedt om niveau (RequestedAuthnContext)", "Requested level (RequestedAuthnContext)");

/** How the request was sent, in words. */
export function sentAs(requested: RequestedLevel): Bilingual {
  const how = requested.sentAs;
  if (how.protocol === "oidc") {
    return how.acrValues === undefined
      ? bi("ikke sendt (registreringen sender ikke acr_values)", "not sent (the registration sends no acr_values)")
      : bi(`sendt som acr_values=${how.acrValues}`, `sent as acr_values=${how.acrValues}`);
  }
  return how.classRefs.length === 0
    ? bi(`ikke sendt (OIOSAML-profil ${how.profile} sender ingen RequestedAuthnContext for dette krav)`, `not sent (OIOSAML profile ${how.profile} sends no RequestedAuthnContext for this requirement)`)
    : bi(`sendt som RequestedAuthnContext (Comparison minimum) ${how.classRefs.join(", ")} efter OIOSAML-profil ${how.profile}`, `sent as RequestedAuthnContext (Comparison minimum) ${how.classRefs.join(", ")} per OIOSAML profile ${how.profile}`);
}

function wasSent(requested: RequestedLevel): boolean {
  return requested.sentAs.protocol === "oidc" ? requested.sentAs.acrValues !== undefined : requested.sentAs.classRefs.length > 0;
}

function stepUpNote(requested: RequestedLevel): Bilingual {
  return requested.realLoginStepsUp
    ? bi(" Registreringen når ikke niveauet: et rigtigt login ville bede NemLog-in om det (step-up); selvtjekket spurgte IdP'en selv.", " The registration does not reach the level: a real login would ask NemLog-in for it (step-up); the self-check asked the IdP itself.")
    : bi("", "");
}

/** The requested level against the level the verified answer asserted. */
export function requestedLevelCheck(requested: RequestedLevel, asserted: ReachedLevel): CheckResult {
  const how = sentAs(requested);
  const note = stepUpNote(requested);
  if (requested.level.kind === "none") {
    return check("levels.requested", "levels", TITLE, "pass", bi("Intet niveau bedt om. Vælg NSIS Substantial eller NIST 3 i selvtjekket for at teste RequestedAuthnContext.", "No level requested. Choose NSIS Substantial or NIST 3 in the self-check to test RequestedAuthnContext."));
  }
  const got = describeLevel(asserted);
  const met = satisfies(asserted, requested.level);
  if (!wasSent(requested)) {
    const found = bi(`Bedt om ${requested.described}, ${how.da}; IdP'en svarede med ${got}.${note.da}`, `Requested ${requested.described}, ${how.en}; the IdP answered with ${got}.${note.en}`);
    return met
      ? check("levels.requested", "levels", TITLE, "pass", found)
      : check("levels.requested", "levels", TITLE, "warn", found, bi("IdP'en får ikke kravet at vide. Skal den, så bed drift om en anden OIOSAML-profil (eller acr_values) i registreringen.", "The IdP is not told the requirement. If it should be, ask the operators for another OIOSAML profile (or acr_values) in the registration."));
  }
  if (met) {
    return check("levels.requested", "levels", TITLE, "pass", bi(`Bedt om ${requested.described}, ${how.da}; IdP'en svarede med ${got}, som opfylder det.${note.da}`, `Requested ${requested.described}, ${how.en}; the IdP answered with ${got}, which meets it.${note.en}`));
  }
  return check(
    "levels.requested",
    "levels",
    TITLE,
    "fail",
    bi(`Bedt om ${requested.described}, ${how.da}; IdP'en svarede med ${got}: den så bort fra RequestedAuthnContext.${note.da}`, `Requested ${requested.described}, ${how.en}; the IdP answered with ${got}: it ignored RequestedAuthnContext.${note.en}`),
    bi("Lad IdP'en kræve det stærkere middel (MFA / NSIS Substantial), når klassen bedes om, eller svare med status NoAuthnContext, når brugeren ikke kan nå niveauet.", "Have the IdP require the stronger means (MFA / NSIS Substantial) when the class is asked for, or answer with status NoAuthnContext when the user cannot reach the level."),
  );
}

/** The requested level when the IdP answered with a status instead of an assertion; undefined when no level was asked for. */
export function requestedLevelStatusCheck(requested: RequestedLevel, status: string | undefined, message: string): CheckResult | undefined {
  if (requested.level.kind === "none") return undefined;
  const how = sentAs(requested);
  const note = stepUpNote(requested);
  if (status === NO_AUTHN_CONTEXT) {
    return check(
      "levels.requested",
      "levels",
      TITLE,
      "warn",
      bi(`Bedt om ${requested.described}, ${how.da}; IdP'en svarede NoAuthnContext (${message}): den forstod kravet, men gav ikke testbrugeren niveauet.${note.da}`, `Requested ${requested.described}, ${how.en}; the IdP answered NoAuthnContext (${message}): it understood the requirement but did not give the test user the level.${note.en}`),
      bi("Gentag med en testbruger, der har et stærkt nok middel (MFA / NSIS Substantial). Har brugeren det, så tjek IdP'ens opsætning af klassen.", "Repeat with a test user who has a strong enough means (MFA / NSIS Substantial). If the user has one, check how the IdP maps the class."),
    );
  }
  return check(
    "levels.requested",
    "levels",
    TITLE,
    "warn",
    bi(`Bedt om ${requested.described}, ${how.da}; IdP'en svarede med en fejlstatus (${message}), så det kunne ikke ses, om den følger RequestedAuthnContext.${note.da}`, `Requested ${requested.described}, ${how.en}; the IdP answered with an error status (${message}), so whether it honours RequestedAuthnContext could not be seen.${note.en}`),
    bi("Ret fejlen og kør selvtjekket igen.", "Correct the error and run the self-check again."),
  );
}
