/**
 * A party's signing certificates against `trust.chain`: each must chain to a
 * configured root (certificate-chain.ts) and, with `crl.mode` other than off,
 * not be revoked by its issuer's CRL (crl-cache.ts). A CRL that cannot be had
 * refuses the certificate (fail-closed) or keeps it (fail-open). Every
 * decision is logged with a reason code and counted
 * (broker_certificate_chain_checks_total).
 */
import { X509Certificate } from "node:crypto";
import type { ChainConfig } from "../config/trust-schema.js";
import type { Logger } from "../observability/logger.js";
import { certificateChainChecks } from "../observability/metrics.js";
import { buildChain, loadAnchors, type ChainAnchors } from "./certificate-chain.js";
import { CrlCache, type RevocationStatus } from "./crl-cache.js";

export interface ChainDecision {
  party: string;
  where: string;
  subject: string;
  fingerprint: string;
  outcome: "accepted" | "refused";
  /** crl_good | crl_off | certificate_revoked | chain_untrusted | chain_issuer_invalid | no_distribution_point | crl_unavailable | crl_not_loaded */
  reason: string;
  detail: string;
}

export interface CheckedChain {
  usable: string[];
  /** One line per certificate refused, or kept without a revocation answer (fail-open). */
  warnings: string[];
}

export interface ChainCheckerDeps {
  now: () => number;
  log?: Logger | undefined;
  /** false: the chain only, no CRL (check-config, which does not fetch). */
  revocation: boolean;
}

export class ChainChecker {
  private readonly anchors: ChainAnchors;
  private readonly crl: CrlCache | undefined;
  private decisions: ChainDecision[] = [];
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly config: ChainConfig,
    private readonly deps: ChainCheckerDeps,
  ) {
    this.anchors = loadAnchors(config);
    this.crl = deps.revocation && config.crl.mode !== "off" ? new CrlCache(config.crl, deps.now) : undefined;
  }

  /** The certificates (PEM) that chain to a root and are not revoked (or kept by fail-open). */
  check(party: string, where: string, pems: readonly string[], nowMs: number): CheckedChain {
    const usable: string[] = [];
    const warnings: string[] = [];
    for (const pem of pems) {
      const certificate = new X509Certificate(pem);
      const decision = this.decide(certificate, nowMs);
      const full: ChainDecision = { party, where, subject: certificate.subject.replace(/\n/g, ", "), fingerprint: certificate.fingerprint256, ...decision };
      this.decisions.push(full);
      if (full.outcome === "accepted") usable.push(pem);
      if (full.outcome === "refused") warnings.push(`${where}: signing certificate ${full.subject} refused (${full.reason}): ${full.detail}`);
      else if (full.reason !== "crl_good" && full.reason !== "crl_off") warnings.push(`${where}: signing certificate ${full.subject} kept without a revocation answer (${full.reason}, crl.mode fail-open): ${full.detail}`);
    }
    return { usable, warnings };
  }

  private decide(certificate: X509Certificate, nowMs: number): Pick<ChainDecision, "outcome" | "reason" | "detail"> {
    const chain = buildChain(certificate, this.anchors, nowMs);
    if (!chain.ok) return { outcome: "refused", reason: chain.reason, detail: chain.detail };
    const issuer = chain.path[1];
    if (!this.crl || issuer === undefined) return { outcome: "accepted", reason: "crl_off", detail: issuer ? "chains to a configured root" : "is a configured root" };
    return this.revocation(this.crl.status(certificate, issuer));
  }

  private revocation(status: RevocationStatus): Pick<ChainDecision, "outcome" | "reason" | "detail"> {
    switch (status.kind) {
      case "good":
        return { outcome: "accepted", reason: "crl_good", detail: `chains to a configured root; not on its issuer's CRL${status.note ? `; ${status.note}` : ""}` };
      case "revoked":
        return { outcome: "refused", reason: "certificate_revoked", detail: `revoked at ${status.revokedAt.toISOString()} (CRL ${status.url})` };
      case "unavailable":
        return { outcome: this.config.crl.mode === "fail-open" ? "accepted" : "refused", reason: status.reason, detail: `${status.detail} (crl.mode ${this.config.crl.mode})` };
    }
  }

  /**
   * Runs a (synchronous) load of trust with the CRLs it needs: fetches the
   * CRLs that are due, runs it; when it asked for CRLs not yet fetched,
   * fetches those and runs it again. The final run's decisions are logged
   * and counted, whether it succeeded or threw.
   */
  run<T>(load: () => T): Promise<T> {
    // One run at a time (start-up, the metadata refresh, the revocation check): each logs its own decisions.
    const result = this.queue.then(() => this.runNow(load));
    this.queue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  private async runNow<T>(load: () => T): Promise<T> {
    if (this.crl) await this.crl.fetchDue();
    try {
      this.decisions = [];
      let first: { ok: true; value: T } | { ok: false; error: unknown };
      try {
        first = { ok: true, value: load() };
      } catch (error) {
        first = { ok: false, error };
      }
      if (this.crl?.hasWanted()) {
        this.decisions = [];
        await this.crl.fetchDue();
        return load();
      }
      if (first.ok) return first.value;
      throw first.error;
    } finally {
      this.report();
    }
  }

  private report(): void {
    for (const d of this.decisions) {
      certificateChainChecks.inc({ party: d.party, outcome: d.outcome, reason: d.reason });
      const fields = { event: "trust_certificate_chain", party: d.party, where: d.where, outcome: d.outcome, reason: d.reason, subject: d.subject, fingerprint: d.fingerprint, detail: d.detail, mode: this.config.crl.mode };
      if (d.outcome === "refused") this.deps.log?.warn(fields, "signing certificate refused by the chain or revocation check");
      else if (d.reason === "crl_good" || d.reason === "crl_off") this.deps.log?.debug(fields, "signing certificate chains to a configured root");
      else this.deps.log?.warn(fields, "signing certificate kept without a revocation answer (crl.mode fail-open)");
    }
    this.decisions = [];
  }
}

/** A checker when the configuration has `trust.chain`. */
export function chainChecker(chain: ChainConfig | undefined, deps: ChainCheckerDeps): ChainChecker | undefined {
  return chain ? new ChainChecker(chain, deps) : undefined;
}
