/**
 * An attribute service's SAML metadata: one EntityDescriptor with an
 * AttributeAuthorityDescriptor, its SOAP AttributeService endpoint and its
 * signing certificates. The keys that verify its answers come only from here.
 */
import { BINDING, NS } from "../../saml/namespaces.js";
import { SamlError } from "../../saml/saml-error.js";
import { entityDescriptor, keyDescriptorCertificates, onlyDescriptor } from "../../saml/metadata-reader.js";
import { attr, childElements, requiredAttr } from "../../xml/xml-parser.js";

export interface AttributeAuthorityMetadata {
  entityId: string;
  /** The SOAP AttributeService endpoint. */
  location: string;
  signingCertificates: string[];
}

export function readAttributeAuthorityMetadata(xml: string, now: Date = new Date()): AttributeAuthorityMetadata {
  const root = entityDescriptor(xml);
  const descriptor = onlyDescriptor(root, "AttributeAuthorityDescriptor");
  for (const element of [root, descriptor]) {
    const validUntil = attr(element, "validUntil");
    if (validUntil === null) continue;
    const ms = Date.parse(validUntil);
    if (Number.isNaN(ms)) throw new SamlError("metadata_invalid", `validUntil ${validUntil} is not a date`);
    if (ms <= now.getTime()) throw new SamlError("metadata_expired", `metadata expired at ${validUntil}`);
  }
  const soap = childElements(descriptor, NS.md, "AttributeService").filter((e) => attr(e, "Binding") === BINDING.soap);
  if (soap.length === 0) throw new SamlError("metadata_invalid", "metadata has no AttributeService with the SOAP binding");
  const location = requiredAttr(soap[0]!, "Location");
  if (!/^https?:\/\//.test(location)) throw new SamlError("metadata_invalid", "AttributeService Location is not an http(s) URL");
  const signingCertificates = keyDescriptorCertificates(descriptor, "signing");
  if (signingCertificates.length === 0) throw new SamlError("metadata_invalid", "metadata has no signing certificate");
  return { entityId: requiredAttr(root, "entityID"), location, signingCertificates };
}
