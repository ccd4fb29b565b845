/**
 * Chain validation of a party's signing certificate to the configured roots
 * (`trust.chain.roots`, the OCES3 roots in production), through the
 * configured intermediates: each link's issuer name and signature
 * (node:crypto's checkIssued and verify), each issuer a CA within its dates.
 * A certificate that is itself a configured root is accepted as is.
 */
import { readFileSync } from "node:fs";
import { X509Certificate } from "node:crypto";
import { ConfigError } from "../config/load-config.js";
import type { ChainConfig } from "../config/trust-schema.js";

/** The longest path tried, leaf and root included. */
const MAX_PATH = 8;

export interface ChainAnchors {
  roots: readonly X509Certificate[];
  intermediates: readonly X509Certificate[];
}

/** Every certificate in a PEM file (a bundle may hold several); the file must hold at least one. */
export function readCertificateBundle(path: string, what: string): X509Certificate[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(`${what}: cannot read ${path}: ${(error as Error).message}`);
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new ConfigError(`${what}: ${path} holds no PEM certificate`);
  return blocks.map((pem) => {
    try {
      return new X509Certificate(pem);
    } catch {
      throw new ConfigError(`${what}: ${path} holds a certificate that cannot be read`);
    }
  });
}

export function loadAnchors(chain: ChainConfig): ChainAnchors {
  const roots = chain.roots.flatMap((path, index) => readCertificateBundle(path, `trust.chain.roots[${index}]`));
  const intermediates = chain.intermediates.flatMap((path, index) => readCertificateBundle(path, `trust.chain.intermediates[${index}]`));
  for (const ca of [...roots, ...intermediates]) {
    if (!ca.ca) throw new ConfigError(`trust.chain: ${ca.subject.replace(/\n/g, ", ")} is not a CA certificate (basicConstraints cA)`);
  }
  return { roots, intermediates };
}

export type ChainResult = { ok: true; path: X509Certificate[] } | { ok: false; reason: "chain_untrusted" | "chain_issuer_invalid"; detail: string };

function within(certificate: X509Certificate, nowMs: number): boolean {
  return Date.parse(certificate.validFrom) <= nowMs && nowMs <= Date.parse(certificate.validTo);
}

function issues(issuer: X509Certificate, subject: X509Certificate): boolean {
  return subject.checkIssued(issuer) && subject.verify(issuer.publicKey);
}

const name = (certificate: X509Certificate) => certificate.subject.replace(/\n/g, ", ");

/** The path [leaf, ..., root] from `leaf` to a configured root, or why there is none. */
export function buildChain(leaf: X509Certificate, anchors: ChainAnchors, nowMs: number): ChainResult {
  if (anchors.roots.some((root) => root.fingerprint256 === leaf.fingerprint256)) return { ok: true, path: [leaf] };
  const path = [leaf];
  let current = leaf;
  while (path.length < MAX_PATH) {
    const root = anchors.roots.find((candidate) => issues(candidate, current));
    if (root) {
      if (!within(root, nowMs)) return { ok: false, reason: "chain_issuer_invalid", detail: `root ${name(root)} is outside its dates (${root.validFrom} to ${root.validTo})` };
      return { ok: true, path: [...path, root] };
    }
    const next = anchors.intermediates.find((candidate) => !path.includes(candidate) && issues(candidate, current));
    if (!next) break;
    if (!within(next, nowMs)) return { ok: false, reason: "chain_issuer_invalid", detail: `intermediate ${name(next)} is outside its dates (${next.validFrom} to ${next.validTo})` };
    path.push(next);
    current = next;
  }
  return { ok: false, reason: "chain_untrusted", detail: `issuer ${current.issuer.replace(/\n/g, ", ")} does not lead to a configured root (trust.chain.roots)` };
}
