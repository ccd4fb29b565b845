/**
 * The self-check's checks: pure functions over a verified upstream answer,
 * the IdP's metadata and its registration. Each returns pass / warn / fail
 * with the reason and what to do, Danish first, English alongside.
 */
import { X509Certificate } from "node:crypto";
import type { UpstreamResult } from "../model/upstream-result.js";
import { LEGACY, OIOSAML3, SPEC_VERSION_OIOSAML3 } from "../profiles/oiosaml3-attributes.js";
import { decodePrivilegesAttribute } from "../profiles/bpp-codec.js";
import { byPosition, checkScopes, describeOutcome, incomingRoles, translateRoles, type IncomingRole, type JobFunctionRoleRegistration, type SystemRolePolicy } from "../profiles/role-translation.js";
import { describeScope } from "../profiles/bpp.js";
import { describeLevel, describeRequirement, nsisRank, satisfies, type LevelRequirement, type NsisLevel } from "../profiles/levels.js";
import type { Bilingual, CheckResult, Verdict } from "./report-types.js";

const DAY_MS = 86_400_000;
/** Under this, an expiry is a warning. */
export const EXPIRY_WARNING_DAYS = 30;
const X509_SUBJECT = "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName";

/** What the checks that need no login read: the IdP's registration and metadata, the broker's certificate, the time. */
export interface RegistrationInput {
  idp: {
    id: string;
    /** SAML-only checks (algorithms, NameID shape, OIOSAML 3 attributes) are left out for OIDC IdPs. */
    protocol: "saml" | "oidc";
    cvrs: readonly string[];
    metadataValidUntil: Date | undefined;
    /** PEM (or base64 DER), from the IdP's metadata. */
    signingCertificates: readonly string[];
    allowSha1: boolean;
    requireEncryptedAssertion: boolean;
    maxNsis: NsisLevel | "none";
    /** Where the registration takes privileges from: the assertion's OIO-BPP, an attribute service, or both. */
    privilegesFrom: "assertion" | "attribute-service" | "both";
  };
  /** The broker's signing certificate (base64 DER or PEM), as the IdP trusts it. */
  brokerCertificate: string;
  now: number;
}

/** A test login's input: the registration's, and the verified answer. */
export interface SelfCheckInput extends RegistrationInput {
  result: UpstreamResult;
  /** Each fagsystem's level requirement: does this login reach it, or would a step-up be needed. */
  fagsystems: ReadonlyArray<{ id: string; required: LevelRequirement; roles?: SystemRolePolicy }>;
  /** The job-function role register (owners and delegations), for the scope rule. */
  roleRegister?: ReadonlyMap<string, JobFunctionRoleRegistration>;
}

const bi = (da: string, en: string): Bilingual => ({ da, en });

function check(id: string, area: CheckResult["area"], title: Bilingual, verdict: Verdict, reason: Bilingual, fix?: Bilingual): CheckResult {
  return fix && verdict !== "pass" ? { id, area, verdict, title, reason, fix } : { id, area, verdict, title, reason };
}

function valueOf(result: UpstreamResult, ...names: string[]): string | undefined {
  return result.attributes.find((a) => names.includes(a.name))?.values[0];
}

function expiryVerdict(until: Date, now: number): { verdict: Verdict; days: number } {
  const days = Math.floor((until.getTime() - now) / DAY_MS);
  return { verdict: days < 0 ? "fail" : days < EXPIRY_WARNING_DAYS ? "warn" : "pass", days };
}

/** `certificate`: PEM (as metadata is read) or base64 DER (the broker's own). */
function certificateCheck(id: string, title: Bilingual, certificate: string, now: number, fix: Bilingual): CheckResult {
  let until: Date;
  try {
    until = new Date(new X509Certificate(certificate.includes("-----BEGIN") ? certificate : Buffer.from(certificate, "base64")).validTo);
  } catch {
    return check(id, "trust", title, "fail", bi("Certifikatet kunne ikke læses.", "The certificate could not be read."), fix);
  }
  const { verdict, days } = expiryVerdict(until, now);
  const date = until.toISOString().slice(0, 10);
  return check(id, "trust", title, verdict, bi(`Udløber ${date} (om ${days} dage).`, `Expires ${date} (in ${days} days).`), fix);
}

const ANSWER_VERIFIED = check("trust.answer-verified", "trust", bi("Tillid begge veje", "Trust both ways"), "pass", bi("IdP'en besvarede brokerens signerede forespørgsel, og svaret blev verificeret mod IdP'ens metadata.", "The IdP answered the broker's signed request, and its answer verified against the IdP's metadata."));

export function trustChecks(input: RegistrationInput): CheckResult[] {
  const checks: CheckResult[] = [];
  const validUntil = input.idp.metadataValidUntil;
  const metadataTitle = bi("IdP-metadata: validUntil", "IdP metadata: validUntil");
  if (!validUntil) {
    checks.push(check("trust.metadata-valid-until", "trust", metadataTitle, "pass", bi("Metadata har ingen udløbsdato.", "The metadata has no expiry date.")));
  } else {
    const { verdict, days } = expiryVerdict(validUntil, input.now);
    const date = validUntil.toISOString().slice(0, 10);
    checks.push(check("trust.metadata-valid-until", "trust", metadataTitle, verdict, bi(`Metadata gælder til ${date} (om ${days} dage).`, `The metadata is valid until ${date} (in ${days} days).`), bi("Udgiv ny metadata og send den til brokerens drift.", "Publish new metadata and send it to the broker's operators.")));
  }
  input.idp.signingCertificates.forEach((cert, index) => {
    checks.push(certificateCheck(`trust.idp-certificate.${index + 1}`, bi(`IdP'ens signeringscertifikat ${index + 1}`, `The IdP's signing certificate ${index + 1}`), cert, input.now, bi("Forny certifikatet, læg det nye i metadata ved siden af det gamle, og send metadata til brokerens drift.", "Renew the certificate, publish the new one in metadata next to the old one, and send the metadata to the broker's operators.")));
  });
  checks.push(certificateCheck("trust.broker-certificate", bi("Brokerens signeringscertifikat", "The broker's signing certificate"), input.brokerCertificate, input.now, bi("Hent brokerens nye metadata og importér den i IdP'en.", "Fetch the broker's new metadata and import it into the IdP.")));
  return checks;
}

export function algorithmChecks(input: RegistrationInput): CheckResult[] {
  if (input.idp.protocol === "oidc") return [];
  const sha1 = input.idp.allowSha1
    ? check("algorithms.sha1", "algorithms", bi("Signaturalgoritme", "Signature algorithm"), "warn", bi("Registreringen tillader SHA-1-signaturer.", "The registration allows SHA-1 signatures."), bi("Sæt IdP'en til at signere med RSA-SHA256 og bed drift fjerne allowSha1.", "Set the IdP to sign with RSA-SHA256 and ask the operators to remove allowSha1."))
    : check("algorithms.sha1", "algorithms", bi("Signaturalgoritme", "Signature algorithm"), "pass", bi("Svaret var signeret med en tilladt algoritme (SHA-256 eller stærkere).", "The answer was signed with an allowed algorithm (SHA-256 or stronger)."));
  const encrypted = input.idp.requireEncryptedAssertion
    ? check("algorithms.encryption", "algorithms", bi("Kryptering af assertion", "Assertion encryption"), "pass", bi("Assertion skal være krypteret, og den var.", "The assertion must be encrypted, and it was."))
    : check("algorithms.encryption", "algorithms", bi("Kryptering af assertion", "Assertion encryption"), "warn", bi("Registreringen kræver ikke krypteret assertion, som OIOSAML 3 gør.", "The registration does not require an encrypted assertion, as OIOSAML 3 does."), bi("Slå kryptering til (AES-GCM, RSA-OAEP) mod brokerens krypteringscertifikat.", "Turn on encryption (AES-GCM, RSA-OAEP) to the broker's encryption certificate."));
  return [sha1, encrypted];
}

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

export function privilegeChecks(input: SelfCheckInput): CheckResult[] {
  const title = bi("Rettigheder (OIO-BPP)", "Privileges (OIO-BPP)");
  const encoded = valueOf(input.result, OIOSAML3.privilegesIntermediate, LEGACY.privilegesIntermediate);
  if (encoded === undefined && input.idp.privilegesFrom !== "assertion") {
    return [check("privileges.bpp", "privileges", title, "pass", bi("Ingen OIO-BPP i svaret; rettighederne hentes fra kommunens attributtjeneste ved hvert login.", "No OIO-BPP in the answer; the privileges come from the municipality's attribute service at every login."))];
  }
  if (encoded === undefined) {
    return [check("privileges.bpp", "privileges", title, "warn", bi("IdP'en sendte ingen rettigheder.", "The IdP sent no privileges."), bi("Send jobfunktionsroller i privilegesIntermediate, eller få dem fra en attributtjeneste.", "Send job-function roles in privilegesIntermediate, or have them come from an attribute service."))];
  }
  let decoded;
  try {
    decoded = decodePrivilegesAttribute(encoded);
  } catch (error) {
    return [check("privileges.bpp", "privileges", title, "fail", bi(`OIO-BPP kunne ikke læses: ${(error as Error).message}.`, `The OIO-BPP could not be read: ${(error as Error).message}.`), bi("Send et gyldigt, base64-kodet PrivilegeList-dokument.", "Send a valid, base64-encoded PrivilegeList document."))];
  }
  const { roles, dropped } = incomingRoles(decoded);
  const foreign = roles.filter((r) => r.scope.kind === "cvr" && !input.idp.cvrs.includes(r.scope.cvr));
  const listing = roles.map((r) => `${r.privilege} (${describeScope(r.scope)})`).join("; ") || "-";
  if (dropped.length > 0) {
    return [check("privileges.bpp", "privileges", title, "fail", bi(`${dropped.length} gruppe(r) er ugyldige: ${dropped.map((d) => d.detail).join("; ")}.`, `${dropped.length} group(s) are malformed: ${dropped.map((d) => d.detail).join("; ")}.`), bi("Ret rettighedsdokumentet (Scope og Privilege i hver gruppe).", "Correct the privilege document (Scope and Privilege in every group)."))];
  }
  if (foreign.length > 0) {
    const scopes = [...new Set(foreign.map((r) => describeScope(r.scope)))].join(", ");
    return [check("privileges.bpp", "privileges", title, "fail", bi(`Roller er scopet til en anden organisation: ${scopes}. De bliver afvist.`, `Roles are scoped to another organisation: ${scopes}. They will be refused.`), bi(`Scope rollerne til kommunens CVR (${input.idp.cvrs[0] ?? ""}).`, `Scope the roles to the municipality's CVR (${input.idp.cvrs[0] ?? ""}).`))];
  }
  return [check("privileges.bpp", "privileges", title, "pass", bi(`${roles.length} rolle(r): ${listing}.`, `${roles.length} role(s): ${listing}.`)), ...translationChecks(input, roles)];
}

/** What each role becomes in each fagsystem with role mappings (the same translation a login runs; the explanation's wording). */
function translationChecks(input: SelfCheckInput, roles: readonly IncomingRole[]): CheckResult[] {
  const cvr = input.idp.cvrs[0] ?? "";
  const { kept, dropped } = checkScopes(roles, cvr, input.roleRegister ?? new Map());
  const attributes = new Map(input.result.attributes.map((a) => [a.name, a.values]));
  return input.fagsystems.flatMap((system) => {
    if (!system.roles || system.roles.mappings.length === 0) return [];
    const outcomes = byPosition([...dropped, ...translateRoles(kept, system.roles, attributes).outcomes]);
    const granted = outcomes.some((o) => o.outcome !== "dropped" && o.became.length > 0);
    const lines = outcomes.map(describeOutcome).join("; ");
    return [
      check(
        `privileges.fagsystem.${system.id}`,
        "privileges",
        bi(`Roller i ${system.id}`, `Roles in ${system.id}`),
        "pass",
        granted ? bi(`Rollerne bliver: ${lines}.`, `The roles become: ${lines}.`) : bi(`Ingen rolle giver adgang her: ${lines}.`, `No role gives access here: ${lines}.`),
      ),
    ];
  });
}

export function levelChecks(input: SelfCheckInput): CheckResult[] {
  const { level } = input.result;
  const title = bi("Sikringsniveau (NSIS/NIST)", "Assurance level (NSIS/NIST)");
  const checks: CheckResult[] = [];
  if (level.nsis === undefined && input.idp.maxNsis === "none") {
    checks.push(check("levels.asserted", "levels", title, "pass", bi(`${describeLevel(level)}; IdP'en er registreret uden NSIS-niveauer.`, `${describeLevel(level)}; the IdP is registered as issuing no NSIS levels.`)));
  } else if (level.nsis === undefined) {
    checks.push(check("levels.asserted", "levels", title, "warn", bi(`Intet NSIS-niveau sendt (${describeLevel(level)}).`, `No NSIS level sent (${describeLevel(level)}).`), bi("Send loa-attributten (NSIS Low/Substantial/High).", "Send the loa attribute (NSIS Low/Substantial/High).")));
  } else if (input.idp.maxNsis === "none" || nsisRank(level.nsis) > nsisRank(input.idp.maxNsis)) {
    checks.push(check("levels.asserted", "levels", title, "warn", bi(`NSIS ${level.nsis} er over registreringens ${input.idp.maxNsis} og bliver nedsat.`, `NSIS ${level.nsis} is above the registration's ${input.idp.maxNsis} and will be capped.`), bi("Bed drift opdatere IdP'ens registrerede maksimale niveau.", "Ask the operators to update the IdP's registered maximum level.")));
  } else {
    checks.push(check("levels.asserted", "levels", title, "pass", bi(`Niveau: ${describeLevel(level)}.`, `Level: ${describeLevel(level)}.`)));
  }
  for (const system of input.fagsystems) {
    const met = satisfies(level, system.required);
    checks.push(
      check(`levels.fagsystem.${system.id}`, "levels", bi(`Niveau for ${system.id}`, `Level for ${system.id}`), met ? "pass" : "warn", met ? bi(`Kravet (${describeRequirement(system.required)}) er opfyldt.`, `The requirement (${describeRequirement(system.required)}) is met.`) : bi(`Kravet (${describeRequirement(system.required)}) er ikke opfyldt: step-up er nødvendig.`, `The requirement (${describeRequirement(system.required)}) is not met: a step-up is needed.`), bi("Log ind med et stærkere middel, eller lad IdP'en udstede det krævede niveau.", "Log in with a stronger means, or have the IdP issue the required level.")),
    );
  }
  return checks;
}

export function clockChecks(input: SelfCheckInput): CheckResult[] {
  const title = bi("Ur", "Clock");
  const issued = input.result.diagnostics?.issueInstant;
  if (issued !== undefined && !Number.isNaN(Date.parse(issued))) {
    const skewSeconds = Math.round((Date.parse(issued) - input.now) / 1000);
    const fix = bi("Synkronisér IdP-serverens ur med NTP.", "Synchronise the IdP server's clock with NTP.");
    if (skewSeconds > 5) return [check("clock.skew", "clock", title, "warn", bi(`IdP'ens IssueInstant er ${skewSeconds} s foran brokerens ur.`, `The IdP's IssueInstant is ${skewSeconds} s ahead of the broker's clock.`), fix)];
    if (skewSeconds < -60) return [check("clock.skew", "clock", title, "warn", bi(`IdP'ens IssueInstant er ${-skewSeconds} s efter brokerens ur.`, `The IdP's IssueInstant is ${-skewSeconds} s behind the broker's clock.`), fix)];
    return [check("clock.skew", "clock", title, "pass", bi(`Forskel mellem IdP'ens IssueInstant og brokerens ur: ${skewSeconds} s.`, `Difference between the IdP's IssueInstant and the broker's clock: ${skewSeconds} s.`))];
  }
  const authn = Date.parse(input.result.authnInstant);
  if (Number.isNaN(authn)) return [check("clock.skew", "clock", title, "fail", bi("AuthnInstant kunne ikke læses.", "AuthnInstant could not be read."), bi("Send AuthnInstant i UTC (xs:dateTime).", "Send AuthnInstant in UTC (xs:dateTime)."))];
  const aheadSeconds = Math.round((authn - input.now) / 1000);
  if (aheadSeconds > 5) {
    return [check("clock.skew", "clock", title, "warn", bi(`IdP'ens ur er mindst ${aheadSeconds} s foran brokerens.`, `The IdP's clock is at least ${aheadSeconds} s ahead of the broker's.`), bi("Synkronisér IdP-serverens ur med NTP.", "Synchronise the IdP server's clock with NTP."))];
  }
  return [check("clock.skew", "clock", title, "pass", bi("IdP'ens tidsstempel ligger ikke foran brokerens ur.", "The IdP's timestamp is not ahead of the broker's clock."))];
}

const SHA1 = /sha1$/i;
const CBC = /-cbc$/i;
const RSA_1_5 = /rsa-1_5$/i;

/** The algorithms the answer really used (read while it was verified), with the registration's SHA-1 allowance. */
export function observedAlgorithmChecks(input: SelfCheckInput): CheckResult[] {
  const seen = input.result.diagnostics;
  if (!seen || input.idp.protocol === "oidc") return algorithmChecks(input);
  const sigTitle = bi("Signaturalgoritme", "Signature algorithm");
  const used = [...seen.signatureAlgorithms, ...seen.digestAlgorithms];
  const listing = used.join(", ") || "-";
  const signature = used.some((a) => SHA1.test(a))
    ? check("algorithms.signature", "algorithms", sigTitle, "fail", bi(`Svaret brugte SHA-1: ${listing}.`, `The answer used SHA-1: ${listing}.`), bi("Signér med RSA-SHA256 og SHA-256 som digest.", "Sign with RSA-SHA256 and a SHA-256 digest."))
    : input.idp.allowSha1
      ? check("algorithms.signature", "algorithms", sigTitle, "warn", bi(`Svaret brugte ${listing}, men registreringen tillader stadig SHA-1.`, `The answer used ${listing}, but the registration still allows SHA-1.`), bi("Bed drift fjerne allowSha1 fra registreringen.", "Ask the operators to remove allowSha1 from the registration."))
      : check("algorithms.signature", "algorithms", sigTitle, "pass", bi(`Svaret brugte ${listing}.`, `The answer used ${listing}.`));
  const encTitle = bi("Kryptering af assertion", "Assertion encryption");
  const encFix = bi("Kryptér assertion med AES-GCM og RSA-OAEP til brokerens krypteringscertifikat.", "Encrypt the assertion with AES-GCM and RSA-OAEP to the broker's encryption certificate.");
  const how = `${seen.dataEncryption ?? "-"}, ${seen.keyTransport ?? "-"}`;
  const encryption =
    seen.dataEncryption === undefined
      ? check("algorithms.encryption", "algorithms", encTitle, "warn", bi("Assertion var ikke krypteret, som OIOSAML 3 kræver.", "The assertion was not encrypted, as OIOSAML 3 requires."), encFix)
      : CBC.test(seen.dataEncryption) || RSA_1_5.test(seen.keyTransport ?? "")
        ? check("algorithms.encryption", "algorithms", encTitle, "warn", bi(`Krypteret med ${how}: forældet.`, `Encrypted with ${how}: outdated.`), encFix)
        : check("algorithms.encryption", "algorithms", encTitle, "pass", bi(`Krypteret med ${how}.`, `Encrypted with ${how}.`));
  return [signature, encryption];
}

/** The checks that need no login (the CLI without a browser). */
export function registrationChecks(input: RegistrationInput): CheckResult[] {
  return [...trustChecks(input), ...algorithmChecks(input)];
}

export function allChecks(input: SelfCheckInput): CheckResult[] {
  return [ANSWER_VERIFIED, ...trustChecks(input), ...observedAlgorithmChecks(input), ...identityChecks(input), ...organisationChecks(input), ...privilegeChecks(input), ...levelChecks(input), ...clockChecks(input)];
}
