/** Reads a party's SAML metadata (one EntityDescriptor) into typed trust data. */
import { certificatePemFromBase64 } from "../keys/key-material.js";
import { X509Certificate } from "node:crypto";
import { NS } from "./namespaces.js";
import { SamlError } from "./saml-error.js";
import { attr, childElements, descendants, parseXml, requiredAttr, textOf, type XmlLimits } from "../xml/xml-parser.js";

export interface Endpoint {
  binding: string;
  location: string;
}

/** A SingleLogoutService: answers (LogoutResponse) go to ResponseLocation when it is given. */
export interface LogoutEndpoint extends Endpoint {
  responseLocation: string | undefined;
}

export interface IndexedEndpoint extends Endpoint {
  index: number;
  isDefault: boolean;
}

export interface IdpMetadata {
  entityId: string;
  signingCertificates: string[];
  encryptionCertificates: string[];
  singleSignOnServices: Endpoint[];
  singleLogoutServices: LogoutEndpoint[];
  wantAuthnRequestsSigned: boolean;
  validUntil: Date | undefined;
}

export interface SpMetadata {
  entityId: string;
  authnRequestsSigned: boolean;
  wantAssertionsSigned: boolean;
  assertionConsumerServices: IndexedEndpoint[];
  singleLogoutServices: LogoutEndpoint[];
  signingCertificates: string[];
  encryptionCertificates: string[];
  /** EncryptionMethod algorithms listed on the encryption KeyDescriptor, in order. */
  encryptionMethods: string[];
  nameIdFormats: string[];
  validUntil: Date | undefined;
}

/** Metadata is larger than a message (many certificates, endpoints) but still bounded. */
export const METADATA_XML_LIMITS: XmlLimits = { maxBytes: 2 * 1024 * 1024, maxDepth: 32, maxElements: 20000 };

/** The one md:EntityDescriptor of a metadata document, parsed within METADATA_XML_LIMITS. */
export function entityDescriptor(xml: string): Element {
  const root = parseXml(xml, METADATA_XML_LIMITS, { allowCommentsOutsideRoot: true }).documentElement;
  if (root.namespaceURI !== NS.md || root.localName !== "EntityDescriptor") {
    throw new SamlError("metadata_invalid", "metadata must be one md:EntityDescriptor");
  }
  return root;
}

function validUntilOf(element: Element, now: Date): Date | undefined {
  const value = attr(element, "validUntil");
  if (!value) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new SamlError("metadata_invalid", `validUntil ${value} is not a date`);
  if (date.getTime() <= now.getTime()) throw new SamlError("metadata_expired", `metadata expired at ${value}`);
  return date;
}

/**
 * The certificates of a role descriptor's KeyDescriptors for one use (a
 * KeyDescriptor without `use` serves both). Every one must be a readable
 * X.509 certificate, else the metadata is refused.
 */
export function keyDescriptorCertificates(descriptor: Element, use: "signing" | "encryption"): string[] {
  const out: string[] = [];
  for (const keyDescriptor of childElements(descriptor, NS.md, "KeyDescriptor")) {
    const keyUse = attr(keyDescriptor, "use");
    if (keyUse && keyUse !== use) continue;
    for (const certElement of descendants(keyDescriptor, NS.ds, "X509Certificate")) {
      const pem = certificatePemFromBase64(textOf(certElement));
      try {
        new X509Certificate(pem);
      } catch {
        throw new SamlError("metadata_invalid", "metadata holds a certificate that cannot be read");
      }
      out.push(pem);
    }
  }
  return out;
}

function encryptionMethods(descriptor: Element): string[] {
  const out: string[] = [];
  for (const keyDescriptor of childElements(descriptor, NS.md, "KeyDescriptor")) {
    if (attr(keyDescriptor, "use") === "signing") continue;
    for (const method of childElements(keyDescriptor, NS.md, "EncryptionMethod")) out.push(requiredAttr(method, "Algorithm"));
  }
  return out;
}

function logoutServices(descriptor: Element): LogoutEndpoint[] {
  return childElements(descriptor, NS.md, "SingleLogoutService").map((e) => ({
    binding: requiredAttr(e, "Binding"),
    location: requiredAttr(e, "Location"),
    responseLocation: attr(e, "ResponseLocation") ?? undefined,
  }));
}

/** The one role descriptor of this kind under the EntityDescriptor, supporting SAML 2.0. */
export function onlyDescriptor(root: Element, name: "IDPSSODescriptor" | "SPSSODescriptor" | "AttributeAuthorityDescriptor"): Element {
  const found = childElements(root, NS.md, name);
  if (found.length !== 1) throw new SamlError("metadata_invalid", `metadata must hold exactly one ${name}`);
  const descriptor = found[0]!;
  const protocols = (attr(descriptor, "protocolSupportEnumeration") ?? "").split(/\s+/);
  if (!protocols.includes(NS.samlp)) throw new SamlError("metadata_invalid", `${name} does not support SAML 2.0`);
  return descriptor;
}

export function readIdpMetadata(xml: string, now: Date = new Date()): IdpMetadata {
  const root = entityDescriptor(xml);
  const descriptor = onlyDescriptor(root, "IDPSSODescriptor");
  const validUntil = [validUntilOf(root, now), validUntilOf(descriptor, now)].find(Boolean);
  return {
    entityId: requiredAttr(root, "entityID"),
    signingCertificates: keyDescriptorCertificates(descriptor, "signing"),
    encryptionCertificates: keyDescriptorCertificates(descriptor, "encryption"),
    singleSignOnServices: childElements(descriptor, NS.md, "SingleSignOnService").map((e) => ({
      binding: requiredAttr(e, "Binding"),
      location: requiredAttr(e, "Location"),
    })),
    singleLogoutServices: logoutServices(descriptor),
    wantAuthnRequestsSigned: attr(descriptor, "WantAuthnRequestsSigned") === "true",
    validUntil,
  };
}

export function readSpMetadata(xml: string, now: Date = new Date()): SpMetadata {
  const root = entityDescriptor(xml);
  const descriptor = onlyDescriptor(root, "SPSSODescriptor");
  const validUntil = [validUntilOf(root, now), validUntilOf(descriptor, now)].find(Boolean);
  return {
    entityId: requiredAttr(root, "entityID"),
    authnRequestsSigned: attr(descriptor, "AuthnRequestsSigned") === "true",
    wantAssertionsSigned: attr(descriptor, "WantAssertionsSigned") === "true",
    assertionConsumerServices: childElements(descriptor, NS.md, "AssertionConsumerService").map((e, position) => ({
      binding: requiredAttr(e, "Binding"),
      location: requiredAttr(e, "Location"),
      index: Number(attr(e, "index") ?? position),
      isDefault: attr(e, "isDefault") === "true",
    })),
    singleLogoutServices: logoutServices(descriptor),
    signingCertificates: keyDescriptorCertificates(descriptor, "signing"),
    encryptionCertificates: keyDescriptorCertificates(descriptor, "encryption"),
    encryptionMethods: encryptionMethods(descriptor),
    nameIdFormats: childElements(descriptor, NS.md, "NameIDFormat").map((e) => textOf(e).trim()),
    validUntil,
  };
}
