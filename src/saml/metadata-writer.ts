/** The broker's own metadata: one document as SP (for municipal IdPs), one as IdP (for fagsystemer). Signed. */
import { randomBytes } from "node:crypto";
import type { KeyMaterial } from "../keys/key-material.js";
import { CONTENT_ENCRYPTION, KEY_TRANSPORT, type SignatureAlgorithm } from "./algorithms.js";
import { ATTRNAME_FORMAT_URI, BINDING, NAMEID_FORMAT, NS } from "./namespaces.js";
import { signEnveloped } from "./sign.js";
import { buildXml, x, type XmlNode } from "../xml/xml-builder.js";

export interface BrokerMetadataInput {
  entityId: string;
  /** Signs the document; its certificate is published first. */
  signing: KeyMaterial;
  encryption: KeyMaterial;
  /** During a key rollover: every signing and encryption certificate to publish (default: the two above). */
  publishedSigning?: readonly KeyMaterial[];
  publishedEncryption?: readonly KeyMaterial[];
  signatureAlgorithm: SignatureAlgorithm;
  validForDays?: number;
}

function keyDescriptor(use: "signing" | "encryption", key: KeyMaterial): XmlNode {
  return x(NS.md, "md:KeyDescriptor", { use }, [
    x(NS.ds, "ds:KeyInfo", {}, [x(NS.ds, "ds:X509Data", {}, [x(NS.ds, "ds:X509Certificate", {}, [key.certificateBase64])])]),
    ...(use === "encryption"
      ? [x(NS.md, "md:EncryptionMethod", { Algorithm: CONTENT_ENCRYPTION.aes256gcm }), x(NS.md, "md:EncryptionMethod", { Algorithm: KEY_TRANSPORT.rsaOaep })]
      : []),
  ]);
}

function keyDescriptors(input: BrokerMetadataInput): XmlNode[] {
  return [
    ...(input.publishedSigning ?? [input.signing]).map((key) => keyDescriptor("signing", key)),
    ...(input.publishedEncryption ?? [input.encryption]).map((key) => keyDescriptor("encryption", key)),
  ];
}

function entity(input: BrokerMetadataInput, descriptor: XmlNode): string {
  const id = `_${randomBytes(16).toString("hex")}`;
  const validUntil = new Date(Date.now() + (input.validForDays ?? 7) * 86_400_000).toISOString();
  const xml = buildXml(
    x(NS.md, "md:EntityDescriptor", { entityID: input.entityId, ID: id, validUntil }, [descriptor], { ds: NS.ds, saml: NS.saml }),
  );
  return signEnveloped(xml, id, false, { key: input.signing, algorithm: input.signatureAlgorithm });
}

/** The broker as a SAML SP: what a municipal IdP imports. */
/** An attribute the broker asks IdPs for in its SP metadata (RequestedAttribute). */
export interface RequestedAttribute {
  name: string;
  required: boolean;
}

/** The broker's SingleLogoutService endpoints (one URL, three bindings), published in both documents. */
function logoutServices(sloUrl: string, soapUrl: string): XmlNode[] {
  return [
    x(NS.md, "md:SingleLogoutService", { Binding: BINDING.redirect, Location: sloUrl }),
    x(NS.md, "md:SingleLogoutService", { Binding: BINDING.post, Location: sloUrl }),
    x(NS.md, "md:SingleLogoutService", { Binding: BINDING.soap, Location: soapUrl }),
  ];
}

export interface BrokerLogoutUrls {
  slo: string;
  sloSoap: string;
}

export function brokerSpMetadata(input: BrokerMetadataInput, acsUrl: string, requested: readonly RequestedAttribute[], logout: BrokerLogoutUrls): string {
  return entity(
    input,
    x(NS.md, "md:SPSSODescriptor", { AuthnRequestsSigned: "true", WantAssertionsSigned: "true", protocolSupportEnumeration: NS.samlp }, [
      ...keyDescriptors(input),
      ...logoutServices(logout.slo, logout.sloSoap),
      x(NS.md, "md:NameIDFormat", {}, [NAMEID_FORMAT.x509SubjectName]),
      x(NS.md, "md:NameIDFormat", {}, [NAMEID_FORMAT.persistent]),
      x(NS.md, "md:AssertionConsumerService", { Binding: BINDING.post, Location: acsUrl, index: 0, isDefault: "true" }),
      x(NS.md, "md:AttributeConsumingService", { index: 0, isDefault: "true" }, [
        x(NS.md, "md:ServiceName", { "xml:lang": "da" }, ["Context broker"]),
        ...requested.map(({ name, required }) =>
          x(NS.md, "md:RequestedAttribute", { Name: name, NameFormat: ATTRNAME_FORMAT_URI, isRequired: required ? "true" : "false" }),
        ),
      ]),
    ]),
  );
}

/** The broker as a SAML IdP: what a fagsystem imports. */
export function brokerIdpMetadata(input: BrokerMetadataInput, ssoUrl: string, logout: BrokerLogoutUrls): string {
  return entity(
    input,
    x(NS.md, "md:IDPSSODescriptor", { WantAuthnRequestsSigned: "true", protocolSupportEnumeration: NS.samlp }, [
      ...keyDescriptors(input),
      ...logoutServices(logout.slo, logout.sloSoap),
      x(NS.md, "md:NameIDFormat", {}, [NAMEID_FORMAT.persistent]),
      x(NS.md, "md:NameIDFormat", {}, [NAMEID_FORMAT.x509SubjectName]),
      x(NS.md, "md:SingleSignOnService", { Binding: BINDING.redirect, Location: ssoUrl }),
      x(NS.md, "md:SingleSignOnService", { Binding: BINDING.post, Location: ssoUrl }),
    ]),
  );
}
