/** Assembles a broker from validated configuration: keys, trust, store, logger. */
import { randomBytes } from "node:crypto";
import type { DestinationStream } from "pino";
import type { BrokerConfig } from "./config/schema.js";
import { brokerUrls, signatureAlgorithmFor, type BrokerContext } from "./broker-context.js";
import { ensureKeyMaterial, loadKeyMaterial, type KeyMaterial } from "./keys/key-material.js";
import { KeyRing } from "./keys/key-ring.js";
import { requestRollover, watchRollover } from "./keys/rollover.js";
import { loadTrustRegistry } from "./trust/registry.js";
import { bindRefresh, MetadataRefresher } from "./trust/metadata-refresh.js";
import { TrustHolder } from "./trust/trust-holder.js";
import { chainChecker } from "./trust/chain-checker.js";
import { CertificateRecheck } from "./trust/certificate-recheck.js";
import { createStore } from "./store/create-store.js";
import type { MemoryStoreEvents } from "./store/memory-store.js";
import { MemoryStore } from "./store/memory-store.js";
import { reportStateStoreBytes, stateStoreEvictions, stateStoreFull } from "./observability/metrics.js";
import { createLogger, type Logger } from "./observability/logger.js";
import { recordBrokerInfo, trackCertificateExpiry } from "./observability/metrics.js";
import { asExpiring, brokerCertificates, expiryWarnings, partyCertificates } from "./trust/certificate-inventory.js";
import { ConfigError, requireSharedSecrets } from "./config/load-config.js";
import type { StateStore } from "./store/state-store.js";
import type { LoginTimings } from "./observability/login-timings.js";
import { startTracing } from "./observability/tracing.js";

export interface BuildOptions {
  logDestination?: DestinationStream;
  logger?: Logger;
  store?: StateStore;
  now?: () => number;
  onLoginTimings?: (timings: LoginTimings) => void;
}

async function keysFor(config: BrokerConfig, use: "signing" | "encryption", which: "current" | "next" = "current"): Promise<KeyMaterial> {
  const paths = which === "next" ? config.keys.next![use] : config.keys[use];
  const name = which === "next" ? `keys.next.${use}` : `keys.${use}`;
  try {
    return config.keys.generateIfMissing
      ? await ensureKeyMaterial(paths.key, paths.cert, `${config.entityId} ${use}`, config.keys.bits)
      : loadKeyMaterial(paths.key, paths.cert);
  } catch (error) {
    throw new ConfigError(`${name}: cannot load ${paths.key} / ${paths.cert}: ${(error as Error).message}. Run \`npm run keys\` or set keys.generateIfMissing.`);
  }
}

/** The memory store's pressure as metrics, and as a log line at most once a minute. */
function memoryStoreEvents(log: Logger): MemoryStoreEvents {
  let lastWarning = 0;
  const warn = (fields: Record<string, unknown>, message: string) => {
    if (Date.now() - lastWarning < 60_000) return;
    lastWarning = Date.now();
    log.warn(fields, message);
  };
  return {
    onEvicted(count, bytesInUse) {
      stateStoreEvictions.inc(count);
      warn({ event: "state_store_evicting", evicted: count, bytesInUse }, "memory store full: evicting the oldest SSO sessions (raise store.memoryMaxMegabytes, or use Redis)");
    },
    onFull(bytesInUse) {
      stateStoreFull.inc();
      warn({ event: "state_store_full", reason: "store_full", bytesInUse }, "memory store full with nothing to evict: new logins get 503 (raise store.memoryMaxMegabytes, or use Redis)");
    },
  };
}

export async function buildBroker(config: BrokerConfig, options: BuildOptions = {}): Promise<BrokerContext> {
  requireSharedSecrets(config);
  const log = options.logger ? options.logger.child({ environment: config.environment }) : createLogger(config.log.level, options.logDestination, config.environment);
  const signing = await keysFor(config, "signing");
  const encryption = await keysFor(config, "encryption");
  const now = options.now ?? Date.now;
  const next = config.keys.next ? { signing: await keysFor(config, "signing", "next"), encryption: await keysFor(config, "encryption", "next") } : undefined;
  const switchAt = config.keys.next?.signingSwitchAt === undefined ? undefined : Date.parse(config.keys.next.signingSwitchAt);
  const keys = new KeyRing({ signing, encryption }, next, switchAt, now);
  // Parties with a metadataUrl: fetched first, so start-up reads the freshest good copy (or the backing file when the URL fails).
  const chain = chainChecker(config.trust.chain, { now, log, revocation: true });
  const refresher = new MetadataRefresher({ config, log, now, env: process.env, chain });
  const fromFiles = () => loadTrustRegistry(config, new Date(now()), process.env, undefined, chain);
  const registry = (refresher.sources.length > 0 ? await refresher.refresh(undefined) : undefined) ?? (chain ? await chain.run(fromFiles) : fromFiles());
  const trust = new TrustHolder(registry);
  recordBrokerInfo(config.environment, config.entityId);
  const certificates = () => [
    ...brokerCertificates({ signing: signing.certificatePem, encryption: encryption.certificatePem }),
    ...(next ? brokerCertificates({ signing: next.signing.certificatePem, encryption: next.encryption.certificatePem }, "next") : []),
    ...partyCertificates(trust.current()),
  ];
  trackCertificateExpiry(() => certificates().map(asExpiring), now);
  for (const warning of registry.warnings) log.warn({ event: "trust_certificate_dates" }, warning);
  for (const warning of expiryWarnings(certificates(), now())) log.warn({ event: "certificate_expires_soon" }, warning);
  const store = options.store ?? (await createStore(config.store, log, memoryStoreEvents(log)));
  if (store instanceof MemoryStore) reportStateStoreBytes(() => store.bytes);
  let cookieSecret = config.cookieSecret;
  if (!cookieSecret) {
    cookieSecret = randomBytes(32).toString("hex");
    // Only the memory store gets here (validateConfig requires the secret with a shared store): one process, its own secret.
    log.warn({ event: "cookie_secret_generated" }, "no cookieSecret configured: using a random one for this process (set BROKER_COOKIE_SECRET or BROKER_COOKIE_SECRET_FILE to keep logins and cookies across restarts)");
  }
  return {
    config,
    keys,
    stopKeyWatch: watchRollover(keys, next?.signing, store, log),
    rolloverSigning: async () => {
      if (!next || !keys.switchSigning()) return false;
      log.info({ event: "key_rollover", use: "signing" }, "signing with the next key (rollover requested here)");
      await requestRollover(store, next.signing).catch((error: unknown) => log.warn({ event: "key_rollover_check_failed", detail: (error as Error).message }, "could not tell the other instances about the rollover"));
      return true;
    },
    get registry() {
      return trust.current();
    },
    metadataRefresh: refresher.sources.length > 0 ? bindRefresh(refresher, trust) : undefined,
    certificateRecheck: chain && config.trust.chain?.crl.mode !== "off" ? new CertificateRecheck({ config, log, now, chain, holder: trust }) : undefined,
    store,
    log,
    urls: brokerUrls(config.baseUrl),
    signatureAlgorithm: signatureAlgorithmFor(config),
    xmlLimits: { maxBytes: config.limits.inflatedBytes, maxDepth: config.limits.xmlDepth, maxElements: config.limits.xmlElements },
    cookieSecret,
    now,
    onLoginTimings: options.onLoginTimings,
    stopTracing: await startTracing(config.tracing),
  };
}
