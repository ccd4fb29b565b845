/**
 * A certificate's validity dates, and whether a signing certificate may be
 * trusted at a given time. Pinned certificates in SAML metadata are trusted
 * for their key, but not outside their dates: an expired certificate is
 * refused (after a configurable grace), unless a test party's config allows it.
 */
import { X509Certificate } from "node:crypto";

const DAY_MS = 86_400_000;

/** Certificates expiring within this many days are warned about (log, check-config). */
export const CERTIFICATE_WARNING_DAYS = 30;

export interface CertificateDates {
  notBefore: Date;
  notAfter: Date;
  subject: string;
  /** SHA-256 fingerprint, colon-separated hex (as `openssl x509 -fingerprint -sha256`). */
  fingerprint: string;
}

const datesByPem = new Map<string, CertificateDates>();

export function certificateDates(pem: string): CertificateDates {
  const known = datesByPem.get(pem);
  if (known) return known;
  const dates = readDates(pem);
  if (datesByPem.size >= 1000) datesByPem.clear();
  datesByPem.set(pem, dates);
  return dates;
}

function readDates(pem: string): CertificateDates {
  const certificate = new X509Certificate(pem);
  // validFrom/validTo ("Jan  1 00:00:00 2026 GMT") are read by every Node this project supports.
  return { notBefore: new Date(certificate.validFrom), notAfter: new Date(certificate.validTo), subject: certificate.subject.replace(/\n/g, ", "), fingerprint: certificate.fingerprint256 };
}

/** Days (fractional) from `nowMs` to the certificate's notAfter; negative once it has expired. */
export function daysToExpiry(dates: CertificateDates, nowMs: number): number {
  return (dates.notAfter.getTime() - nowMs) / DAY_MS;
}

/** Within notBefore..notAfter, each widened by the grace. */
export function withinDates(dates: CertificateDates, nowMs: number, graceDays: number): boolean {
  const grace = graceDays * DAY_MS;
  return dates.notBefore.getTime() - grace <= nowMs && nowMs <= dates.notAfter.getTime() + grace;
}

export interface DateCheckPolicy {
  nowMs: number;
  graceDays: number;
  /** A test party's override: keep certificates outside their dates (with a warning). */
  allowOutsideDates: boolean;
}

export interface CheckedCertificates {
  /** The certificates that may be used. */
  usable: string[];
  /** One line per certificate outside its dates: refused, or kept by the override. */
  warnings: string[];
}

function describe(dates: CertificateDates): string {
  return `certificate ${dates.subject} (SHA-256 ${dates.fingerprint.slice(0, 23)}...) valid ${dates.notBefore.toISOString()} to ${dates.notAfter.toISOString()}`;
}

/**
 * Sorts a party's signing certificates by their dates. A certificate outside
 * them is refused (left out); with the override it is kept. `where` names
 * the party in every line.
 */
export function checkSigningCertificateDates(where: string, certificates: readonly string[], policy: DateCheckPolicy): CheckedCertificates {
  const usable: string[] = [];
  const warnings: string[] = [];
  const at = new Date(policy.nowMs).toISOString();
  for (const pem of certificates) {
    const dates = certificateDates(pem);
    if (withinDates(dates, policy.nowMs, policy.graceDays)) {
      usable.push(pem);
    } else if (policy.allowOutsideDates) {
      usable.push(pem);
      warnings.push(`${where}: signing ${describe(dates)} is outside its dates at ${at}, kept because allowExpiredCertificate is set`);
    } else {
      warnings.push(`${where}: signing ${describe(dates)} is outside its dates at ${at} (grace ${policy.graceDays} days): refused`);
    }
  }
  return { usable, warnings };
}

/**
 * The certificate to encrypt to when a party publishes several (a key
 * rollover): the newest one valid now (latest notBefore), so a fagsystem that
 * adds its next certificate gets assertions encrypted to it from the moment it
 * is valid; when none is valid now, the first listed (the date check of the
 * registration decides whether the party is trusted at all).
 */
export function currentEncryptionCertificate(pems: readonly string[], nowMs: number): string | undefined {
  const valid = pems.map((pem) => ({ pem, dates: certificateDates(pem) })).filter(({ dates }) => withinDates(dates, nowMs, 0));
  valid.sort((a, b) => b.dates.notBefore.getTime() - a.dates.notBefore.getTime());
  return valid[0]?.pem ?? pems[0];
}
