/**
 * A party's metadata document, as the registry reads it: from its source
 * (the backing file, or a fetched copy being checked), its signature
 * verified with the pinned `metadataSigningCert` when one is configured, and,
 * from a signed aggregate, only the party's own EntityDescriptor
 * (src/saml/metadata-aggregate.ts). Every failure names the party and the file.
 */
import { readFileSync } from "node:fs";
import { ConfigError } from "../config/load-config.js";
import { selectEntityDescriptor } from "../saml/metadata-aggregate.js";
import { XmlError } from "../xml/xml-error.js";
import { readMetadataSigningCert, verifiedMetadataXml } from "./metadata-signature.js";

/** Where a party's metadata document comes from, by its backing file's path: the file itself, unless a fresher copy is being checked. */
export type MetadataSource = (path: string, where: string) => string;

export const READ_METADATA_FILES: MetadataSource = (path, party) => {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(`${party}: cannot read metadata ${path}: ${(error as Error).message}`);
  }
};

/** What a party's config says about its metadata. */
export interface MetadataPolicy {
  metadata: string;
  metadataSigningCert?: string | undefined;
  /** The entityID to take from an aggregate (and to insist on otherwise). */
  entityId?: string | undefined;
}

/** The metadata to read: only what the pinned signature covers (when configured), and of an aggregate only the party's own entity. */
export function trustedMetadataXml(xml: string, policy: MetadataPolicy, now: Date): string {
  const signed = policy.metadataSigningCert === undefined ? xml : verifiedMetadataXml(xml, readMetadataSigningCert(policy.metadataSigningCert));
  return selectEntityDescriptor(signed, { entityId: policy.entityId, signed: policy.metadataSigningCert !== undefined, now });
}

function reasonAndMessage(error: unknown): string {
  return error instanceof XmlError ? `${error.reason}: ${error.message}` : (error as Error).message;
}

/** A party's metadata, read by `read`; every failure names the party and the file. */
export function partyMetadata<T>(where: string, policy: MetadataPolicy, read: (xml: string, now: Date) => T, source: MetadataSource, now: Date): T {
  const xml = source(policy.metadata, where);
  try {
    return read(trustedMetadataXml(xml, policy, now), now);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`${where}: metadata ${policy.metadata}: ${reasonAndMessage(error)}`);
  }
}
