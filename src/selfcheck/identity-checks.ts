/** Identity (NameID, OIOSAML 3 attributes) and organisation (CVR). */
import { LEGACY, OIOSAML3, SPEC_VERSION_OIOSAML3 } from "../profiles/oiosaml3-attributes.js";
import type { CheckResult } from "./report-types.js";
import { bi, check, valueOf, type SelfCheckInput } from "./check-kit.js";

const X509_SUBJECT = "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName";

export function identityChecks(input: SelfCheckInput): CheckResult[] {
  const { result } = input;
  if (input.idp.protocol === "oidc") return [];
  const checks: CheckResult[] = [];
  const nameIdTitle = bi("NameID", "NameID");
  if (result.nameIdFormat !== X509_SUBJECT) {
    checks.push(check("identity.name-id", "identity", nameIdTitle, "warn", bi(`NameID-format er ${result.nameIdFormat ?? "(intet)"}.`, `The NameID format is ${result.nameIdFormat ?? "(none)"}.`), bi("Send NameID i formatet X509SubjectName med Serial=.", "Send the NameID in the X509SubjectName format with Serial=.")));
  } else if (!/(^|,)\s*Serial=/.test(result.nameId)) {
    checks.push(check("identity.name-id", "identity", nameIdTitle, "fail", bi("NameID mangler Serial=.", "The NameID has no Serial=."), bi("Sæt NameID til brugerens subject med Serial= (fx CN=…,Serial=…).", "Set the NameID to the user's subject with Serial= (e.g. CN=…,Serial=…).")));
  } else {
    checks.push(check("identity.name-id", "identity", nameIdTitle, "pass", bi("X509SubjectName med Serial=.", "X509SubjectName with Serial=.")));
  }
  const names = new Set(result.attributes.map((a) => a.name));
  const missing = [OIOSAML3.specVersion, OIOSAML3.cvr, OIOSAML3.uuidPersistent].filter((n) => !names.has(n));
  const legacy = Object.values(LEGACY).filter((n) => names.has(n));
  const attrTitle = bi("Attributter (OIOSAML 3)", "Attributes (OIOSAML 3)");
  if (missing.length > 0) {
    checks.push(check("identity.attributes", "identity", attrTitle, "fail", bi(`Mangler: ${missing.join(", ")}.`, `Missing: ${missing.join(", ")}.`), bi("Tilføj attributterne med deres OIOSAML 3-navne (NameFormat uri).", "Add the attributes with their OIOSAML 3 names (NameFormat uri).")));
  } else if (legacy.length > 0) {
    checks.push(check("identity.attributes", "identity", attrTitle, "warn", bi(`Gamle OIOSAML 2-navne sendes: ${legacy.join(", ")}.`, `Legacy OIOSAML 2 names are sent: ${legacy.join(", ")}.`), bi("Send OIOSAML 3-navnene i stedet.", "Send the OIOSAML 3 names instead.")));
  } else {
    checks.push(check("identity.attributes", "identity", attrTitle, "pass", bi("De forventede OIOSAML 3-attributter er sendt.", "The expected OIOSAML 3 attributes were sent.")));
  }
  const spec = valueOf(result, OIOSAML3.specVersion, LEGACY.specVer);
  checks.push(
    spec === SPEC_VERSION_OIOSAML3
      ? check("identity.spec-version", "identity", bi("specVersion", "specVersion"), "pass", bi(`specVersion er ${spec}.`, `specVersion is ${spec}.`))
      : check("identity.spec-version", "identity", bi("specVersion", "specVersion"), "fail", bi(`specVersion er ${spec ?? "(ikke sendt)"}.`, `specVersion is ${spec ?? "(not sent)"}.`), bi(`Send specVersion = ${SPEC_VERSION_OIOSAML3}.`, `Send specVersion = ${SPEC_VERSION_OIOSAML3}.`)),
  );
  return checks;
}

export function organisationChecks(input: SelfCheckInput): CheckResult[] {
  const claims = input.result.claims;
  const cvr = (claims.readable ? claims.identity.cvr : undefined) ?? valueOf(input.result, OIOSAML3.cvr, LEGACY.cvr);
  const title = bi("Organisation (CVR)", "Organisation (CVR)");
  if (cvr === undefined && input.idp.protocol === "oidc") {
    const registered = input.idp.cvrs[0] ?? "";
    return [check("organisation.cvr", "organisation", title, "pass", bi(`IdP'en sender intet CVR; brokeren bruger registreringens CVR ${registered}.`, `The IdP sends no CVR; the broker uses the registration's CVR ${registered}.`))];
  }
  if (cvr === undefined) return [check("organisation.cvr", "organisation", title, "fail", bi("Der blev ikke sendt noget CVR-nummer.", "No CVR number was sent."), bi("Send kommunens CVR-nummer i cvr-attributten.", "Send the municipality's CVR number in the cvr attribute."))];
  if (!input.idp.cvrs.includes(cvr)) {
    return [check("organisation.cvr", "organisation", title, "fail", bi(`CVR ${cvr} er ikke registreret for denne IdP (${input.idp.cvrs.join(", ")}).`, `CVR ${cvr} is not registered for this IdP (${input.idp.cvrs.join(", ")}).`), bi("Ret CVR-nummeret i IdP'en, eller bed drift registrere det.", "Correct the CVR number at the IdP, or ask the operators to register it."))];
  }
  return [check("organisation.cvr", "organisation", title, "pass", bi(`CVR ${cvr} er registreret for denne IdP.`, `CVR ${cvr} is registered for this IdP.`))];
}
