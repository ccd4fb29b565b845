/**
 * Every certificate the broker holds or trusts, with its dates: the broker's
 * own signing and encryption certificates and each party's from its
 * metadata. Read by the expiry gauge (/metrics), the start-up warnings and
 * `check-config`.
 */
import type { ExpiringCertificate } from "../observability/metrics.js";
import { CERTIFICATE_WARNING_DAYS, certificateDates, daysToExpiry, type CertificateDates } from "./certificate-dates.js";
import { isSamlIdp, type TrustRegistry } from "./registry.js";

export type CertificateRole = "broker" | "identity-provider" | "fagsystem" | "nemlogin";

export interface HeldCertificate {
  party: string;
  role: CertificateRole;
  use: "signing" | "encryption";
  dates: CertificateDates;
}

function held(party: string, role: CertificateRole, metadata: { signingCertificates: string[]; encryptionCertificates: string[] }): HeldCertificate[] {
  return [
    ...metadata.signingCertificates.map((pem) => ({ party, role, use: "signing" as const, dates: certificateDates(pem) })),
    ...metadata.encryptionCertificates.map((pem) => ({ party, role, use: "encryption" as const, dates: certificateDates(pem) })),
  ];
}

/** The broker's own certificates (PEM), as many as are given. */
/** The broker's own certificates; `party` "broker", or "broker-next" for the keys of a rollover (keys.next). */
export function brokerCertificates(own: { signing?: string | undefined; encryption?: string | undefined }, which: "current" | "next" = "current"): HeldCertificate[] {
  const out: HeldCertificate[] = [];
  const party = which === "next" ? "broker-next" : "broker";
  if (own.signing !== undefined) out.push({ party, role: "broker", use: "signing", dates: certificateDates(own.signing) });
  if (own.encryption !== undefined) out.push({ party, role: "broker", use: "encryption", dates: certificateDates(own.encryption) });
  return out;
}

/** Each party's certificates in the registry (those in use: refused ones are not there). */
export function partyCertificates(registry: TrustRegistry): HeldCertificate[] {
  const nemlogin = registry.nemLogIn();
  return [
    ...registry.identityProviders().filter(isSamlIdp).flatMap((idp) => held(idp.id, "identity-provider", idp.metadata)),
    ...registry.serviceProviders().flatMap((sp) => held(sp.id, "fagsystem", sp.metadata)),
    ...(nemlogin ? held(nemlogin.id, "nemlogin", nemlogin.metadata) : []),
  ];
}

export function asExpiring(certificate: HeldCertificate): ExpiringCertificate {
  return {
    labels: { party: certificate.party, role: certificate.role, use: certificate.use, fingerprint: certificate.dates.fingerprint.replace(/:/g, "").slice(0, 16).toLowerCase() },
    notAfterMs: certificate.dates.notAfter.getTime(),
  };
}

/** One line per certificate that expires within CERTIFICATE_WARNING_DAYS (or has expired). */
export function expiryWarnings(certificates: readonly HeldCertificate[], nowMs: number): string[] {
  return certificates
    .map((c) => ({ c, days: daysToExpiry(c.dates, nowMs) }))
    .filter(({ days }) => days < CERTIFICATE_WARNING_DAYS)
    .map(({ c, days }) =>
      days < 0
        ? `${c.role} ${c.party}: ${c.use} certificate ${c.dates.subject} expired ${Math.ceil(-days)} days ago (${c.dates.notAfter.toISOString()})`
        : `${c.role} ${c.party}: ${c.use} certificate ${c.dates.subject} expires in ${Math.floor(days)} days (${c.dates.notAfter.toISOString()})`,
    );
}
