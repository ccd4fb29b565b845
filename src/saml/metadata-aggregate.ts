/**
 * Signed aggregates: a federation's feed (md:EntitiesDescriptor, possibly
 * nested) from which a party takes its own md:EntityDescriptor by entityID.
 * The aggregate is read only after its signature has been verified with the
 * pinned metadata-signing certificate (metadata-signature.ts): an unsigned
 * aggregate is refused. The aggregate's validUntil (and a nested group's)
 * bounds the entity's: the earliest is written onto the entity taken, so it
 * holds at every use as any party's validUntil does.
 */
import { NS } from "./namespaces.js";
import { SamlError } from "./saml-error.js";
import { METADATA_XML_LIMITS } from "./metadata-reader.js";
import { attr, descendants, parseXml, serializeXml } from "../xml/xml-parser.js";

export interface EntitySelection {
  /** The entityID the party's config names, if any. */
  entityId: string | undefined;
  /** Whether the document's signature was verified with a pinned certificate. */
  signed: boolean;
  now: Date;
}

function validUntilOf(element: Element): Date | undefined {
  const value = attr(element, "validUntil");
  if (!value) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new SamlError("metadata_invalid", `validUntil ${value} is not a date`);
  return date;
}

/** The aggregate and every EntitiesDescriptor between it and `entity`, outermost first. */
function groupsAbove(entity: Element): Element[] {
  const groups: Element[] = [];
  for (let node = entity.parentNode; node && node.nodeType === 1; node = node.parentNode) {
    const element = node as Element;
    if (element.namespaceURI === NS.md && element.localName === "EntitiesDescriptor") groups.unshift(element);
  }
  return groups;
}

/**
 * The metadata document to read for one party: the document itself when it
 * is one EntityDescriptor (whose entityID must be the configured one, when
 * one is configured), or, from a signed aggregate, the one EntityDescriptor
 * with the configured entityID, bounded by the aggregate's validUntil.
 */
export function selectEntityDescriptor(xml: string, selection: EntitySelection): string {
  const root = parseXml(xml, METADATA_XML_LIMITS, { allowCommentsOutsideRoot: true }).documentElement;
  if (root.namespaceURI === NS.md && root.localName === "EntityDescriptor") {
    const found = attr(root, "entityID");
    if (selection.entityId !== undefined && found !== selection.entityId) {
      throw new SamlError("metadata_entity_mismatch", `metadata is for ${found ?? "no entityID"}, not the configured entityId ${selection.entityId}`);
    }
    return xml;
  }
  if (root.namespaceURI !== NS.md || root.localName !== "EntitiesDescriptor") {
    throw new SamlError("metadata_invalid", "metadata must be an md:EntityDescriptor or a signed md:EntitiesDescriptor");
  }
  if (!selection.signed) throw new SamlError("metadata_aggregate_unsigned", "an aggregate (md:EntitiesDescriptor) is read only with a metadataSigningCert to verify it");
  if (selection.entityId === undefined) throw new SamlError("metadata_invalid", "the metadata is an aggregate (md:EntitiesDescriptor): set entityId to the party's entityID in it");
  const matches = descendants(root, NS.md, "EntityDescriptor").filter((e) => attr(e, "entityID") === selection.entityId);
  if (matches.length === 0) throw new SamlError("metadata_entity_missing", `the aggregate holds no EntityDescriptor for ${selection.entityId}`);
  if (matches.length > 1) throw new SamlError("metadata_invalid", `the aggregate holds ${matches.length} EntityDescriptors for ${selection.entityId}`);
  const entity = matches[0]!;
  const bounds = [...groupsAbove(entity), entity].map(validUntilOf).filter((d): d is Date => d !== undefined);
  const earliest = bounds.sort((a, b) => a.getTime() - b.getTime())[0];
  if (earliest !== undefined) {
    if (earliest.getTime() <= selection.now.getTime()) throw new SamlError("metadata_expired", `the aggregate expired at ${earliest.toISOString()}`);
    entity.setAttribute("validUntil", earliest.toISOString());
  }
  return serializeXml(entity);
}
