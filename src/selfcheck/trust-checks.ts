/** Trust (metadata and certificates both ways), algorithms (registered and as used), and the clock. */
import { X509Certificate } from "node:crypto";
import type { Bilingual, CheckResult, Verdict } from "./report-types.js";
import { bi, check, type RegistrationInput, type SelfCheckInput } from "./check-kit.js";

const DAY_MS = 86_400_000;
/** Under this, an expiry is a warning. */
export const EXPIRY_WARNING_DAYS = 30;

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

export const ANSWER_VERIFIED = check("trust.answer-verified", "trust", bi("Tillid begge veje", "Trust both ways"), "pass", bi("IdP'en besvarede brokerens signerede forespørgsel, og svaret blev verificeret mod IdP'ens metadata.", "The IdP answered the broker's signed request, and its answer verified against the IdP's metadata."));

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
