/**
 * Revocation that stays current. Every `trust.chain.crl.refreshSeconds`
 * (±10 % jitter) the CRLs that are due are fetched again and every SAML
 * party's signing certificates are checked again, from its metadata file
 * (for a URL party, the backing file: the last good copy), under every load
 * rule. A certificate revoked since is withdrawn from the party in force; a
 * party left with none keeps no signing certificate, so nothing it signs
 * verifies (fail closed) until a check passes again (a CRL back after an
 * outage, a new certificate). A file that cannot be read or is refused for
 * another reason leaves the party as it is (logged): the metadata refresh
 * and start-up own those rules.
 */
import type { BrokerConfig } from "../config/schema.js";
import type { Logger } from "../observability/logger.js";
import type { ChainChecker } from "./chain-checker.js";
import { ChainRefusedError } from "./party-certificates.js";
import { READ_METADATA_FILES } from "./party-metadata.js";
import { isSamlIdp, loadParty, partyWhere, type LoadedParty, type PartyRef, type TrustRegistry } from "./registry.js";
import type { TrustHolder } from "./trust-holder.js";
import type { TrustRefresh } from "./metadata-refresh.js";

function partyRefs(config: BrokerConfig): Array<{ ref: PartyRef; file: string }> {
  return [
    ...config.identityProviders.map((policy, index) => ({ ref: { kind: "identityProvider", index } as const, file: policy.metadata })),
    ...config.serviceProviders.map((policy, index) => ({ ref: { kind: "serviceProvider", index } as const, file: policy.metadata })),
    ...(config.nemlogin ? [{ ref: { kind: "nemlogin" } as const, file: config.nemlogin.metadata }] : []),
  ];
}

/** The party in force for `ref`, as a LoadedParty. */
function inForce(registry: TrustRegistry, config: BrokerConfig, ref: PartyRef): LoadedParty | undefined {
  if (ref.kind === "nemlogin") {
    const party = registry.nemLogIn();
    return party ? { kind: "nemlogin", party } : undefined;
  }
  if (ref.kind === "identityProvider") {
    const party = registry.identityProvider(config.identityProviders[ref.index]!.id);
    return party && isSamlIdp(party) ? { kind: "identityProvider", party } : undefined;
  }
  const party = registry.serviceProviders().find((sp) => sp.id === config.serviceProviders[ref.index]!.id);
  return party ? { kind: "serviceProvider", party } : undefined;
}

function withSigning(loaded: LoadedParty, signingCertificates: string[]): LoadedParty {
  switch (loaded.kind) {
    case "identityProvider":
      return { kind: loaded.kind, party: { ...loaded.party, metadata: { ...loaded.party.metadata, signingCertificates } } };
    case "serviceProvider":
      return { kind: loaded.kind, party: { ...loaded.party, metadata: { ...loaded.party.metadata, signingCertificates } } };
    case "nemlogin":
      return { kind: loaded.kind, party: { ...loaded.party, metadata: { ...loaded.party.metadata, signingCertificates } } };
  }
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((pem, i) => pem === b[i]);

export interface RecheckDeps {
  config: BrokerConfig;
  log: Logger;
  now: () => number;
  chain: ChainChecker;
  holder: TrustHolder;
}

type Checked = { ref: PartyRef; where: string } & ({ kind: "usable"; signing: string[] } | { kind: "withdrawn"; detail: string } | { kind: "unchecked"; detail: string });

export class CertificateRecheck implements TrustRefresh {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: RecheckDeps) {}

  private pass(now: Date): Checked[] {
    const { config, chain } = this.deps;
    return partyRefs(config).map(({ ref, file }) => {
      const where = partyWhere(config, ref);
      try {
        const { loaded } = loadParty(config, ref, READ_METADATA_FILES(file, where), now, chain);
        return { ref, where, kind: "usable", signing: loaded.party.metadata.signingCertificates };
      } catch (error) {
        return { ref, where, kind: error instanceof ChainRefusedError ? "withdrawn" : "unchecked", detail: (error as Error).message };
      }
    });
  }

  /** One check now; true when a party's signing certificates changed. */
  async refresh(): Promise<boolean> {
    const { config, holder, log } = this.deps;
    let checked: Checked[] = [];
    await this.deps.chain.run(() => {
      checked = this.pass(new Date(this.deps.now()));
    });
    const current = holder.current();
    const replacements: LoadedParty[] = [];
    for (const result of checked) {
      const party = inForce(current, config, result.ref);
      if (!party) continue;
      if (result.kind === "unchecked") {
        log.warn({ event: "trust_recheck_skipped", where: result.where, detail: result.detail }, "could not check this party's certificates again; it stays as it is");
        continue;
      }
      const signing = result.kind === "usable" ? result.signing : [];
      if (same(signing, party.party.metadata.signingCertificates)) continue;
      replacements.push(withSigning(party, signing));
      if (result.kind === "withdrawn") {
        log.error({ event: "trust_certificates_withdrawn", party: party.party.id, where: result.where, detail: result.detail }, "no signing certificate of this party passes the chain check now: nothing it signs is accepted");
      } else {
        log.info({ event: "trust_certificates_changed", party: party.party.id, where: result.where, signingCertificates: signing.length }, "this party's usable signing certificates changed at the revocation check");
      }
    }
    if (replacements.length === 0) return false;
    holder.replace(current.withParties(replacements, current.warnings));
    return true;
  }

  start(): void {
    if (this.timer || !this.deps.config.trust.chain) return;
    const interval = this.deps.config.trust.chain.crl.refreshSeconds * 1000;
    const next = () => {
      this.timer = setTimeout(() => {
        void this.refresh()
          .catch((error: unknown) => this.deps.log.error({ event: "trust_recheck_error", err: error }, "the revocation check failed unexpectedly"))
          .finally(() => {
            if (this.timer) next();
          });
      }, interval * (0.9 + Math.random() * 0.2));
      this.timer.unref();
    };
    next();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
