/**
 * Certificate revocation lists, fetched from the distribution point a
 * certificate names (bounded: a deadline, a size cap, no redirects),
 * verified with the issuing CA's key, and cached until `refreshSeconds` have
 * passed or the CRL's nextUpdate, whichever is sooner. Lookups are
 * synchronous, from the cache: trust is loaded synchronously, so the
 * loader asks, learns which CRLs it lacks (`wanted`), has them fetched, and
 * asks again (chain-checker.ts).
 */
import "reflect-metadata";
import { createHash, webcrypto, type X509Certificate } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import * as x509 from "@peculiar/x509";
import type { CrlConfig } from "../config/trust-schema.js";
import { MetadataFetchError, readBounded } from "./metadata-fetch.js";

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export type RevocationStatus =
  /** `note`: when the CRL is the copy kept in crl.cacheDir, why the fetch failed. */
  | { kind: "good"; note?: string | undefined }
  | { kind: "revoked"; revokedAt: Date; url: string }
  /** reason: no_distribution_point | crl_not_loaded | crl_unavailable (with the fetch's why) */
  | { kind: "unavailable"; reason: string; detail: string };

interface CachedCrl {
  crl: x509.X509Crl;
  fetchedAtMs: number;
  /** Usable until (nextUpdate, or a refresh interval after the fetch when it names none). */
  usableUntilMs: number;
  /** Read from crl.cacheDir because the fetch failed. */
  kept?: boolean;
}

/** The http(s) URLs of the certificate's CRL distribution points. */
export function distributionPoints(certificate: X509Certificate): string[] {
  const parsed = new x509.X509Certificate(certificate.raw);
  const extension = parsed.getExtension(x509.CRLDistributionPointsExtension);
  if (!extension) return [];
  const urls: string[] = [];
  for (const point of extension.distributionPoints) {
    for (const general of point.distributionPoint?.fullName ?? []) {
      const uri = general.uniformResourceIdentifier;
      if (uri !== undefined && /^https?:\/\//i.test(uri)) urls.push(uri);
    }
  }
  return urls;
}

export class CrlCache {
  private readonly cached = new Map<string, CachedCrl>();
  /** The last failure per URL, to say why a CRL is missing. */
  private readonly failures = new Map<string, string>();
  /** URLs asked for and not (usably) cached, with the CA that must have signed them. */
  private readonly wantedByUrl = new Map<string, X509Certificate>();
  /** Every URL ever asked for, with its CA, so due CRLs can be fetched again. */
  private readonly known = new Map<string, X509Certificate>();

  constructor(
    private readonly config: CrlConfig,
    private readonly now: () => number,
  ) {}

  /** The certificate's status from the cached CRL of its first distribution point. */
  status(leaf: X509Certificate, issuer: X509Certificate): RevocationStatus {
    const urls = distributionPoints(leaf);
    const url = urls[0];
    if (url === undefined) return { kind: "unavailable", reason: "no_distribution_point", detail: "the certificate names no http(s) CRL distribution point" };
    this.known.set(url, issuer);
    const entry = this.cached.get(url);
    if (!entry || this.now() > entry.usableUntilMs) {
      const failure = this.failures.get(url);
      if (failure !== undefined) return { kind: "unavailable", reason: "crl_unavailable", detail: `CRL ${url}: ${failure}` };
      this.wantedByUrl.set(url, issuer);
      return { kind: "unavailable", reason: "crl_not_loaded", detail: `CRL ${url} not fetched yet` };
    }
    const revoked = entry.crl.findRevoked(new x509.X509Certificate(leaf.raw));
    if (revoked) return { kind: "revoked", revokedAt: revoked.revocationDate, url };
    return { kind: "good", note: entry.kept ? `CRL ${url} from crl.cacheDir (${this.failures.get(url) ?? "fetch failed"})` : undefined };
  }

  hasWanted(): boolean {
    return this.wantedByUrl.size > 0;
  }

  /** Fetches the CRLs asked for and not cached, and those due for a refresh. */
  async fetchDue(): Promise<void> {
    const due = new Map(this.wantedByUrl);
    this.wantedByUrl.clear();
    for (const [url, issuer] of this.known) {
      const entry = this.cached.get(url);
      if (!entry || this.now() >= Math.min(entry.usableUntilMs, entry.fetchedAtMs + this.config.refreshSeconds * 1000)) due.set(url, issuer);
    }
    for (const [url, issuer] of due) {
      try {
        this.cached.set(url, await this.accept(url, await this.fetchBytes(url), issuer));
        this.failures.delete(url);
      } catch (error) {
        // A cached CRL still within its nextUpdate stays in use (after a restart, the one kept in crl.cacheDir); the failure explains a missing one.
        this.failures.set(url, `${error instanceof MetadataFetchError ? error.reason : "crl_invalid"}: ${(error as Error).message}`);
        if (!this.cached.has(url)) await this.fromDisk(url, issuer);
      }
    }
  }

  private async fetchBytes(url: string): Promise<Buffer> {
    const signal = AbortSignal.timeout(this.config.timeoutSeconds * 1000);
    try {
      const response = await fetch(url, { signal, redirect: "error", headers: { accept: "application/pkix-crl" } });
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new MetadataFetchError("http_status", `HTTP ${response.status}`);
      }
      return response.body ? await readBounded(response.body, this.config.maxBytes, "CRL") : Buffer.alloc(0);
    } catch (error) {
      if (error instanceof MetadataFetchError) throw error;
      if (signal.aborted) throw new MetadataFetchError("timeout", `no answer within ${this.config.timeoutSeconds} s`);
      throw new MetadataFetchError("unreachable", `cannot fetch: ${(error as Error).message.slice(0, 200)}`);
    }
  }

  /** The CRL in `bytes`, if its issuer signed it, it is current and not older than the one in use; kept in crl.cacheDir when fetched. */
  private async accept(url: string, bytes: Buffer, issuer: X509Certificate, fromDisk = false): Promise<CachedCrl> {
    const text = bytes.toString("latin1");
    const crl = new x509.X509Crl(text.includes("-----BEGIN X509 CRL-----") ? text : new Uint8Array(bytes));
    const ca = new x509.X509Certificate(issuer.raw);
    if (crl.issuerName.toString() !== ca.subjectName.toString()) throw new Error(`CRL issuer ${crl.issuer} is not the certificate's issuer ${ca.subject}`);
    if (!(await crl.verify({ publicKey: ca.publicKey }))) throw new Error("the CRL's signature does not verify with the issuing CA's key");
    const nowMs = this.now();
    if (crl.thisUpdate.getTime() > nowMs + 300_000) throw new Error(`the CRL's thisUpdate ${crl.thisUpdate.toISOString()} is in the future`);
    const usableUntilMs = crl.nextUpdate?.getTime() ?? nowMs + this.config.refreshSeconds * 1000;
    if (usableUntilMs < nowMs) throw new Error(`the CRL is stale (nextUpdate ${crl.nextUpdate?.toISOString()})`);
    const inUse = this.cached.get(url);
    if (inUse && crl.thisUpdate.getTime() < inUse.crl.thisUpdate.getTime()) throw new Error(`the CRL (thisUpdate ${crl.thisUpdate.toISOString()}) is older than the one in use`);
    if (!fromDisk) this.keep(url, bytes);
    return { crl, fetchedAtMs: nowMs, usableUntilMs };
  }

  private cacheFile(url: string): string | undefined {
    return this.config.cacheDir === undefined ? undefined : join(this.config.cacheDir, `${createHash("sha256").update(url).digest("hex").slice(0, 32)}.crl`);
  }

  private keep(url: string, bytes: Buffer): void {
    const file = this.cacheFile(url);
    if (file === undefined) return;
    try {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(`${file}.${process.pid}.incoming`, bytes);
      renameSync(`${file}.${process.pid}.incoming`, file);
    } catch {
      // The CRL is in force in memory; only a restart during an outage would miss it.
    }
  }

  /** The CRL kept in crl.cacheDir, when it is still usable (checked as a fetched one). */
  private async fromDisk(url: string, issuer: X509Certificate): Promise<void> {
    const file = this.cacheFile(url);
    if (file === undefined) return;
    try {
      const kept = await this.accept(url, readFileSync(file), issuer, true);
      // Due again at the next check: the fetch is retried then.
      this.cached.set(url, { ...kept, fetchedAtMs: kept.fetchedAtMs - this.config.refreshSeconds * 1000, kept: true });
    } catch {
      // None kept, or not usable: the failure stands.
    }
  }
}
