/** Everything a running broker holds: configuration, keys, trust, state. Built once at start. */
import type { BrokerConfig } from "./config/schema.js";
import type { BrokerKeys } from "./keys/key-ring.js";
import type { TrustRegistry } from "./trust/registry.js";
import type { TrustRefresh } from "./trust/metadata-refresh.js";
import type { StateStore } from "./store/state-store.js";
import type { Logger } from "./observability/logger.js";
import { SIGNATURE_ALGORITHM, type SignatureAlgorithm } from "./saml/algorithms.js";
import type { XmlLimits } from "./xml/xml-parser.js";
import type { LoginTimings } from "./observability/login-timings.js";

export type { BrokerKeys } from "./keys/key-ring.js";

export interface BrokerUrls {
  base: string;
  sso: string;
  acs: string;
  /** SingleLogoutService (HTTP-Redirect and HTTP-POST) and its SOAP back channel. */
  slo: string;
  sloSoap: string;
  spMetadata: string;
  idpMetadata: string;
  chooser: string;
}

export interface BrokerContext {
  config: BrokerConfig;
  keys: BrokerKeys;
  /** The trust in force, read at every use (a metadata refresh may replace it while the broker runs). */
  readonly registry: TrustRegistry;
  /** Refreshes the parties' metadata from their URLs (`metadataUrl`); undefined when no party has one. */
  metadataRefresh?: TrustRefresh | undefined;
  /** Checks parties' signing certificates against fresh CRLs on a schedule (trust.chain.crl); undefined without revocation checks. */
  certificateRecheck?: TrustRefresh | undefined;
  store: StateStore;
  log: Logger;
  urls: BrokerUrls;
  signatureAlgorithm: SignatureAlgorithm;
  xmlLimits: XmlLimits;
  cookieSecret: string;
  now: () => number;
  /** Called with the step timings of every successful login (metrics, benchmarks). */
  onLoginTimings?: ((timings: LoginTimings) => void) | undefined;
  /** Signs with keys.next.signing from now on, here and (through the store) on every instance; false when no next key is configured. */
  rolloverSigning?: (() => Promise<boolean>) | undefined;
  /** Stops looking for a key rollover in the store (keys.next). */
  stopKeyWatch?: (() => void) | undefined;
  /** When tracing is on: flushes the spans not yet exported and stops tracing. */
  stopTracing?: (() => Promise<void>) | undefined;
}

export function brokerUrls(baseUrl: string): BrokerUrls {
  const base = baseUrl.replace(/\/+$/, "");
  return {
    base,
    sso: `${base}/saml/sso`,
    acs: `${base}/saml/acs`,
    slo: `${base}/saml/slo`,
    sloSoap: `${base}/saml/slo/soap`,
    spMetadata: `${base}/saml/metadata/sp`,
    idpMetadata: `${base}/saml/metadata/idp`,
    chooser: `${base}/login/choose`,
  };
}

export function signatureAlgorithmFor(config: BrokerConfig): SignatureAlgorithm {
  return config.signatureAlgorithm === "rsa-pss-sha256" ? SIGNATURE_ALGORITHM.rsaPssSha256 : SIGNATURE_ALGORITHM.rsaSha256;
}
