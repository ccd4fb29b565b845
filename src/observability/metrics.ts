/**
 * The process's metrics (prom-client), served at /metrics. One registry;
 * each module registers the metrics it owns here.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: "broker_" });

export const loginsTotal = new Counter({
  name: "broker_logins_total",
  help: "Logins finished, by outcome (succeeded, refused) and fagsystem.",
  labelNames: ["outcome", "sp"] as const,
  registers: [metricsRegistry],
});

export const rejectionsTotal = new Counter({
  name: "broker_rejections_total",
  help: "Messages or logins rejected, by reason code (the same code as in the log line).",
  labelNames: ["reason"] as const,
  registers: [metricsRegistry],
});

export const attributeServiceCalls = new Counter({
  name: "broker_attribute_service_calls_total",
  help: "Attribute service lookups by outcome.",
  labelNames: ["service", "outcome"] as const,
  registers: [metricsRegistry],
});

export const attributeServiceRetries = new Counter({
  name: "broker_attribute_service_retries_total",
  help: "Repeated attempts after a transient failure.",
  labelNames: ["service"] as const,
  registers: [metricsRegistry],
});

export const attributeServiceSeconds = new Histogram({
  name: "broker_attribute_service_seconds",
  help: "Time to an answer from an attribute service (cache hits excluded).",
  labelNames: ["service"] as const,
  buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

export const stepUpsTotal = new Counter({
  name: "broker_step_ups_total",
  help: "Step-ups through NemLog-in after the municipal login, by outcome (bound, refused); refusals also count under their reason in broker_rejections_total.",
  labelNames: ["outcome"] as const,
  registers: [metricsRegistry],
});

/** Counts a rejection by its reason code; unknown or odd codes are folded so label values stay bounded. */
export function countRejection(reason: string): void {
  rejectionsTotal.inc({ reason: /^[a-z_]{1,48}$/.test(reason) ? reason : "other" });
}

export const stateStoreEvictions = new Counter({
  name: "broker_state_store_evictions_total",
  help: "Browser sessions (SSO) the memory store evicted under pressure; each costs a person a new login at their IdP.",
  registers: [metricsRegistry],
});

export const stateStoreFull = new Counter({
  name: "broker_state_store_full_total",
  help: "Entries the memory store refused because nothing could be evicted (the request got a 503).",
  registers: [metricsRegistry],
});

let stateStoreBytesSource: () => number = () => 0;

/** Where broker_state_store_bytes reads from (the memory store, when it is the store). */
export function reportStateStoreBytes(source: () => number): void {
  stateStoreBytesSource = source;
}

export const stateStoreBytes = new Gauge({
  name: "broker_state_store_bytes",
  help: "Estimated bytes held by the memory store (0 with Redis).",
  registers: [metricsRegistry],
  collect() {
    this.set(stateStoreBytesSource());
  },
});
export const brokerInfo = new Gauge({
  name: "broker_info",
  help: "Always 1; its labels say which environment (production, test, ...) and entityID this broker serves.",
  labelNames: ["environment", "entity_id"] as const,
  registers: [metricsRegistry],
});

/** One process serves one broker: the info gauge holds that broker's labels only. */
export function recordBrokerInfo(environment: string, entityId: string): void {
  brokerInfo.reset();
  brokerInfo.set({ environment, entity_id: entityId }, 1);
}

/** A certificate the broker holds or trusts, as the expiry gauge shows it. */
export interface ExpiringCertificate {
  labels: { party: string; role: string; use: string; fingerprint: string };
  notAfterMs: number;
}

let expiring: { list: () => readonly ExpiringCertificate[]; now: () => number } = { list: () => [], now: Date.now };

export const certificateExpiryDays = new Gauge({
  name: "broker_certificate_expiry_days",
  help: "Days until each certificate expires (negative: expired): the broker's own, and every party's signing and encryption certificates.",
  labelNames: ["party", "role", "use", "fingerprint"] as const,
  registers: [metricsRegistry],
  collect() {
    // Computed at each scrape, from the trust in force and the broker's clock.
    this.reset();
    const now = expiring.now();
    for (const certificate of expiring.list()) this.set(certificate.labels, (certificate.notAfterMs - now) / 86_400_000);
  },
});

/** The certificates the gauge reports from now on (one broker per process). */
export function trackCertificateExpiry(list: () => readonly ExpiringCertificate[], now: () => number): void {
  expiring = { list, now };
}

export const metadataRefreshes = new Counter({
  name: "broker_metadata_refresh_total",
  help: "Fetches of parties' metadata URLs, by party and outcome (updated, unchanged, fetch_failed, rejected); a failure keeps the last good copy.",
  labelNames: ["party", "outcome"] as const,
  registers: [metricsRegistry],
});

export const certificateChainChecks = new Counter({
  name: "broker_certificate_chain_checks_total",
  help: "Checks of parties' signing certificates against trust.chain (roots, revocation), by party, outcome (accepted, refused) and reason (crl_good, certificate_revoked, chain_untrusted, crl_unavailable, ...).",
  labelNames: ["party", "outcome", "reason"] as const,
  registers: [metricsRegistry],
});
