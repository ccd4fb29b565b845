/**
 * The checks on a party's signing certificates when its metadata is read:
 * their dates (certificate-dates.ts) and, with `trust.chain`, their chain to
 * the configured roots and their revocation (chain-checker.ts). Refused
 * certificates are left out (one warning line each); a party left with none
 * is refused with a ConfigError naming it.
 */
import { ConfigError } from "../config/load-config.js";
import type { BrokerConfig } from "../config/schema.js";
import type { IdpMetadata } from "../saml/metadata-reader.js";
import { checkSigningCertificateDates } from "./certificate-dates.js";
import type { ChainChecker } from "./chain-checker.js";

/** A party refused because none of its signing certificates passes trust.chain (roots, revocation). */
export class ChainRefusedError extends ConfigError {
  constructor(message: string) {
    super(message);
    this.name = "ChainRefusedError";
  }
}

/** What the checks need of the load in progress. */
export interface CertificateChecking {
  config: BrokerConfig;
  now: Date;
  warnings: string[];
  chain: ChainChecker | undefined;
}

export interface CertificatePolicy {
  allowExpiredCertificate: boolean;
  skipCertificateChain: boolean;
}

/**
 * The metadata with only the signing certificates within their dates (or
 * all, with the party's test override) that chain to a configured root and
 * are not revoked (unless the party's test override skips that).
 */
export function withCheckedSigningCertificates<T extends { signingCertificates: string[] }>(
  party: string,
  where: string,
  metadata: T,
  policy: CertificatePolicy,
  checking: CertificateChecking,
): T {
  if (metadata.signingCertificates.length === 0) return metadata;
  const nowMs = checking.now.getTime();
  const dated = checkSigningCertificateDates(where, metadata.signingCertificates, {
    nowMs,
    graceDays: checking.config.trust.certificateGraceDays,
    allowOutsideDates: policy.allowExpiredCertificate,
  });
  if (dated.usable.length === 0) throw new ConfigError(`${where}: no signing certificate in its metadata is within its validity dates: ${dated.warnings.join("; ")}`);
  checking.warnings.push(...dated.warnings);
  if (!checking.chain || policy.skipCertificateChain) return { ...metadata, signingCertificates: dated.usable };
  const chained = checking.chain.check(party, where, dated.usable, nowMs);
  if (chained.usable.length === 0) {
    throw new ChainRefusedError(`${where}: no signing certificate in its metadata passes the chain check (trust.chain): ${chained.warnings.join("; ")}`);
  }
  checking.warnings.push(...chained.warnings);
  return { ...metadata, signingCertificates: chained.usable };
}

/** An upstream IdP (a municipality's, or NemLog-in) must name a key and an endpoint to send people to. */
export function requireUpstreamEssentials(metadata: IdpMetadata, where: string): void {
  if (metadata.signingCertificates.length === 0) throw new ConfigError(`${where}: metadata has no signing certificate`);
  if (metadata.singleSignOnServices.length === 0) throw new ConfigError(`${where}: metadata has no SingleSignOnService`);
}
