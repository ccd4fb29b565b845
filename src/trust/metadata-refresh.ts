/**
 * Metadata from URLs. A party with `metadataUrl` has its metadata fetched at
 * start and again every `trust.metadataRefresh.intervalSeconds` (with ±10 %
 * jitter, so instances do not fetch in step), by conditional GET (ETag,
 * Last-Modified). A fetched document must pass every rule start-up applies
 * to that party (signature when `metadataSigningCert` is set, shape and size,
 * validUntil, certificate dates, chain and revocation, environment) and fit with the other parties;
 * only then is it written to the party's backing file (`metadata`, atomically)
 * and put in force. A fetch that fails or a document that is refused keeps
 * the last good copy (the backing file, and the registration in force), is
 * logged naming the party, the source and why, and is counted. One party's
 * failure never touches another.
 */
import { renameSync, writeFileSync } from "node:fs";
import type { BrokerConfig } from "../config/schema.js";
import type { Logger } from "../observability/logger.js";
import { metadataRefreshes } from "../observability/metrics.js";
import { METADATA_XML_LIMITS } from "../saml/metadata-reader.js";
import { cacheDurationOf, nextRefreshMs } from "./cache-duration.js";
import { fetchMetadata, MetadataFetchError, type Validators } from "./metadata-fetch.js";
import { loadParty, loadTrustRegistry, partyWhere, READ_METADATA_FILES, type LoadedParty, type PartyRef, type TrustRegistry } from "./registry.js";
import type { TrustHolder } from "./trust-holder.js";
import type { ChainChecker } from "./chain-checker.js";
import { ChainRefusedError } from "./party-certificates.js";

export interface UrlSource {
  ref: PartyRef;
  /** The party's id, as in logs and metrics. */
  party: string;
  where: string;
  url: string;
  /** The backing file: the last good copy. */
  file: string;
}

export function urlSources(config: BrokerConfig): UrlSource[] {
  const sources: UrlSource[] = [];
  const add = (ref: PartyRef, party: string, policy: { metadata: string; metadataUrl?: string | undefined }) => {
    if (policy.metadataUrl !== undefined) sources.push({ ref, party, where: partyWhere(config, ref), url: policy.metadataUrl, file: policy.metadata });
  };
  config.identityProviders.forEach((policy, index) => add({ kind: "identityProvider", index }, policy.id, policy));
  config.serviceProviders.forEach((policy, index) => add({ kind: "serviceProvider", index }, policy.id, policy));
  if (config.nemlogin) add({ kind: "nemlogin" }, "nemlogin", config.nemlogin);
  return sources;
}

export type RefreshOutcome = "updated" | "unchanged" | "fetch_failed" | "rejected";

interface Accepted {
  source: UrlSource;
  xml: string;
  validators: Validators;
  loaded: LoadedParty;
  warnings: string[];
}

function writeAtomically(file: string, content: string): void {
  const temporary = `${file}.${process.pid}.incoming`;
  writeFileSync(temporary, content);
  renameSync(temporary, file);
}

export interface RefresherDeps {
  config: BrokerConfig;
  log: Logger;
  now: () => number;
  env: NodeJS.ProcessEnv;
  /** The chain and revocation check (trust.chain), when configured. */
  chain?: ChainChecker | undefined;
}

export class MetadataRefresher {
  readonly sources: UrlSource[];
  private readonly validators = new Map<string, Validators>();
  /** Per URL: how long its last good document wants to be kept (cacheDuration) and until when it is valid. */
  private readonly freshness = new Map<string, { cacheDuration: number | undefined; validUntil: Date | undefined }>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<TrustRegistry | undefined> | undefined;

  constructor(private readonly deps: RefresherDeps) {
    this.sources = urlSources(deps.config);
  }

  /**
   * Fetches every URL source once and returns `current` with the parties
   * whose metadata changed and passed every check replaced, or undefined
   * when nothing changed. Without `current` (at start), the registry is read
   * from the backing files with the fetched documents in place of theirs.
   * The backing files are written only when the new registry is whole.
   */
  refresh(current: (() => TrustRegistry) | undefined): Promise<TrustRegistry | undefined> {
    this.running ??= this.refreshAll(current).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async refreshAll(current: (() => TrustRegistry) | undefined): Promise<TrustRegistry | undefined> {
    const accepted: Accepted[] = [];
    for (const source of this.sources) {
      const one = await this.refreshOne(source);
      if (one) accepted.push(one);
    }
    if (accepted.length === 0) return undefined;
    let next: TrustRegistry;
    try {
      if (current) {
        // The trust in force now (the revocation check may have changed it while this refresh fetched).
        next = current().withParties(accepted.map((a) => a.loaded), accepted.flatMap((a) => a.warnings));
      } else {
        const fetched = new Map(accepted.map((a) => [a.source.file, a.xml]));
        const load = () => loadTrustRegistry(this.deps.config, new Date(this.deps.now()), this.deps.env, (path, where) => fetched.get(path) ?? READ_METADATA_FILES(path, where), this.deps.chain);
        next = this.deps.chain ? await this.deps.chain.run(load) : load();
      }
    } catch (error) {
      // The new documents do not fit with the other parties (two with one entityID, say): none of them is taken.
      for (const a of accepted) this.refused(a.source, "rejected", "conflict", (error as Error).message);
      return undefined;
    }
    for (const a of accepted) {
      try {
        writeAtomically(a.source.file, a.xml);
      } catch (error) {
        // The new copy is checked and in force; only a restart would fall back to the older file.
        this.deps.log.error({ event: "metadata_backing_write_failed", party: a.source.party, file: a.source.file, detail: (error as Error).message }, "could not write the backing file");
      }
      this.validators.set(a.source.url, a.validators);
      this.freshness.set(a.source.url, { cacheDuration: cacheDurationOf(a.xml), validUntil: a.loaded.party.metadata.validUntil });
      this.counted(a.source, "updated");
      this.deps.log.info({ event: "metadata_refreshed", party: a.source.party, source: a.source.url, file: a.source.file, entityId: a.loaded.party.metadata.entityId }, "metadata updated from its URL");
      for (const warning of a.warnings) this.deps.log.warn({ event: "trust_certificate_dates", party: a.source.party }, warning);
    }
    return next;
  }

  private async refreshOne(source: UrlSource): Promise<Accepted | undefined> {
    const { config } = this.deps;
    let fetched;
    try {
      fetched = await fetchMetadata(source.url, this.validators.get(source.url) ?? {}, {
        timeoutMs: config.trust.metadataRefresh.timeoutSeconds * 1000,
        maxBytes: METADATA_XML_LIMITS.maxBytes,
      });
    } catch (error) {
      const why = error instanceof MetadataFetchError ? error.reason : "unreachable";
      this.refused(source, "fetch_failed", why, (error as Error).message);
      return undefined;
    }
    if (fetched.kind === "unchanged") {
      this.counted(source, "unchanged");
      this.deps.log.debug({ event: "metadata_unchanged", party: source.party, source: source.url }, "metadata unchanged (304)");
      return undefined;
    }
    try {
      const load = () => loadParty(config, source.ref, fetched.xml, new Date(this.deps.now()), this.deps.chain);
      const { loaded, warnings } = this.deps.chain ? await this.deps.chain.run(load) : load();
      return { source, xml: fetched.xml, validators: fetched.validators, loaded, warnings };
    } catch (error) {
      this.refused(source, "rejected", error instanceof ChainRefusedError ? "chain" : "invalid", (error as Error).message);
      return undefined;
    }
  }

  private counted(source: UrlSource, outcome: RefreshOutcome): void {
    metadataRefreshes.inc({ party: source.party, outcome });
  }

  private refused(source: UrlSource, outcome: RefreshOutcome, why: string, detail: string): void {
    this.counted(source, outcome);
    this.deps.log.warn(
      { event: "metadata_refresh_failed", party: source.party, source: source.url, outcome, why, detail, keeping: source.file },
      "metadata from the URL not taken; the last good copy stays in force",
    );
  }

  /** Refreshes on the schedule, putting each new registry in `holder`; the timer does not keep the process alive. */
  start(holder: TrustHolder): void {
    if (this.sources.length === 0 || this.timer) return;
    const next = () => {
      const interval = this.nextIntervalMs();
      this.timer = setTimeout(() => {
        void this.refresh(() => holder.current())
          .then((registry) => {
            if (registry) holder.replace(registry);
          })
          .catch((error: unknown) => this.deps.log.error({ event: "metadata_refresh_error", err: error }, "metadata refresh failed unexpectedly"))
          .finally(() => {
            if (this.timer) next();
          });
      }, interval * (0.9 + Math.random() * 0.2));
      this.timer.unref();
    };
    next();
  }

  /** The soonest any source wants to be fetched again: the configured interval, shortened by cacheDuration and validUntil. */
  nextIntervalMs(): number {
    const interval = this.deps.config.trust.metadataRefresh.intervalSeconds * 1000;
    const now = this.deps.now();
    const waits = this.sources.map((source) => {
      const fresh = this.freshness.get(source.url);
      return nextRefreshMs(interval, fresh?.cacheDuration, fresh?.validUntil, now);
    });
    return Math.min(interval, ...waits);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** The refresh of a running broker's URL sources, bound to the trust in force. */
export interface TrustRefresh {
  /** One refresh now; true when new trust was put in force. */
  refresh(): Promise<boolean>;
  /** Refresh on the schedule from now on. */
  start(): void;
  stop(): void;
  /** How long until the next scheduled fetch (before jitter): the interval, shortened by cacheDuration and validUntil (metadata refresh only). */
  nextIntervalMs?(): number;
}

export function bindRefresh(refresher: MetadataRefresher, holder: TrustHolder): TrustRefresh {
  return {
    async refresh() {
      const next = await refresher.refresh(() => holder.current());
      if (next) holder.replace(next);
      return next !== undefined;
    },
    start: () => refresher.start(holder),
    stop: () => refresher.stop(),
    nextIntervalMs: () => refresher.nextIntervalMs(),
  };
}
