/**
 * An attribute service's SAML metadata: one EntityDescriptor with an
 * AttributeAuthorityDescriptor, its SOAP AttributeService endpoint and its
 * signing certificates. The keys that verify its answers come only from here.
 */
import { X509Certificate } from "node:crypto";
import { certificatePemFromBase64 } from "../../keys/key-material.js";
import { BINDING, NS } from "../../saml/namespaces.js";
import { SamlError } from "../../saml/saml-error.js";
import { METADATA_XML_LIMITS } from "../../saml/metadata-reader.js";
import { attr, childElements, descendants, parseXml, requiredAttr, textOf } from "../../xml/xml-parser.js";

export interface AttributeAuthorityMetadata {
  entityId: string;
  /** The SOAP AttributeService endpoint. */
  location: string;
  signingCertificates: string[];
}

export function readAttributeAuthorityMetadata(xml: string, now: Date = new Date()): AttributeAuthorityMetadata {
  const root = parseXml(xml, METADATA_XML_LIMITS, { allowCommentsOutsideRoot: true }).documentElement;
  if (root.namespaceURI !== NS.md || root.localName !== "EntityDescriptor") throw new SamlError("metadata_invalid", "metadata must be one md:EntityDescriptor");
  const descriptors = childElements(root, NS.md, "AttributeAuthorityDescriptor");
  if (descriptors.length !== 1) throw new SamlError("metadata_invalid", "metadata must hold exactly one AttributeAuthorityDescriptor");
  const descriptor = descriptors[0]!;
  if (!(attr(descriptor, "protocolSupportEnumeration") ?? "").split(/\s+/).includes(NS.samlp)) {
    throw new SamlError("metadata_invalid", "AttributeAuthorityDescriptor does not support SAML 2.0");
  }
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
  const signingCertificates: string[] = [];
  for (const keyDescriptor of childElements(descriptor, NS.md, "KeyDescriptor")) {
    const use = attr(keyDescriptor, "use");
    if (use !== null && use !== "signing") continue;
    for (const element of descendants(keyDescriptor, NS.ds, "X509Certificate")) {
      const pem = certificatePemFromBase64(textOf(element));
      try {
        new X509Certificate(pem);
      } catch {
        throw new SamlError("metadata_invalid", "metadata holds a certificate that cannot be read");
      }
      signingCertificates.push(pem);
    }
  }
  if (signingCertificates.length === 0) throw new SamlError("metadata_invalid", "metadata has no signing certificate");
  return { entityId: requiredAttr(root, "entityID"), location, signingCertificates };
}
