/**
 * `check-config`: validates the configuration, reads every party's metadata
 * as start-up would, and reports every certificate's days to expiry (the
 * broker's own from its configured files, and each party's), with a warning
 * for each within CERTIFICATE_WARNING_DAYS.
 */
import { existsSync, readFileSync } from "node:fs";
import type { BrokerConfig } from "../config/schema.js";
import { loadTrustRegistry } from "../trust/registry.js";
import { brokerCertificates, expiryWarnings, partyCertificates, type HeldCertificate } from "../trust/certificate-inventory.js";
import { daysToExpiry } from "../trust/certificate-dates.js";
import { chainChecker } from "../trust/chain-checker.js";

export interface CheckReport {
  lines: string[];
  warnings: string[];
}

function readCertificate(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, "utf8") : undefined;
}

function certificateLine(certificate: HeldCertificate, nowMs: number): string {
  const days = Math.floor(daysToExpiry(certificate.dates, nowMs));
  return `  ${certificate.role} ${certificate.party} ${certificate.use}: ${days} days to expiry (${certificate.dates.notAfter.toISOString()}), ${certificate.dates.subject}`;
}

/** Throws ConfigError as start-up would; otherwise what to print. */
export function checkConfig(config: BrokerConfig, now: Date = new Date()): CheckReport {
  // The chain to trust.chain.roots is checked; revocation is not (check-config does not fetch), the running broker checks it.
  const registry = loadTrustRegistry(config, now, process.env, undefined, chainChecker(config.trust.chain, { now: () => now.getTime(), revocation: false }));
  const lines: string[] = [];
  const warnings: string[] = [...registry.warnings];
  const nemlogin = registry.nemLogIn();
  const stepUp = nemlogin ? `, step-up through ${nemlogin.metadata.entityId} for ${registry.identityProviders().filter((idp) => idp.policy.stepUp).length} of them` : "";
  lines.push(`configuration is valid (environment: ${config.environment}): ${registry.identityProviders().length} identity providers${stepUp}, ${registry.serviceProviders().length} fagsystemer`);
  if (!nemlogin) {
    for (const idp of registry.identityProviders().filter((p) => p.policy.stepUp)) warnings.push(`${idp.id} has stepUp, but no nemlogin is configured: its logins are not stepped up`);
  }
  if (config.trust.chain) {
    const revocation = config.trust.chain.crl.mode === "off" ? "" : `; revocation (crl.mode ${config.trust.chain.crl.mode}) is checked by the running broker, not here`;
    lines.push(`signing certificates chain to trust.chain.roots${revocation}`);
  }
  const own = { signing: readCertificate(config.keys.signing.cert), encryption: readCertificate(config.keys.encryption.cert) };
  for (const use of ["signing", "encryption"] as const) {
    if (own[use] === undefined) {
      const made = config.keys.generateIfMissing ? " (keys.generateIfMissing creates it at start)" : "";
      warnings.push(`broker ${use} certificate ${config.keys[use].cert} not found${made}`);
    }
  }
  const certificates = [...brokerCertificates(own), ...partyCertificates(registry)];
  lines.push("certificates:");
  for (const certificate of certificates) lines.push(certificateLine(certificate, now.getTime()));
  warnings.push(...expiryWarnings(certificates, now.getTime()));
  return { lines, warnings };
}
