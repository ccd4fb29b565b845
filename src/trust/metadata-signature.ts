/**
 * Optional signature check on a party's metadata file (`metadataSigningCert`
 * in its config): the document must carry an enveloped signature on its root
 * that verifies with that certificate, under the same rules as any SAML
 * signature (allow-listed algorithms, Reference to the root's ID, no key from
 * the document itself). Only the bytes the signature covers are handed on to
 * the metadata reader. Configured and missing or invalid: fail closed.
 */
import { readFileSync } from "node:fs";
import { X509Certificate } from "node:crypto";
import { METADATA_XML_LIMITS } from "../saml/metadata-reader.js";
import { SamlError } from "../saml/saml-error.js";
import { findEnvelopedSignature, verifyEnvelopedSignature } from "../saml/verify-signature.js";
import { parseXml, serializeXml } from "../xml/xml-parser.js";

/** Reads the PEM certificate that signs a party's metadata; refuses anything that is not one. */
export function readMetadataSigningCert(path: string): string {
  let pem: string;
  try {
    pem = readFileSync(path, "utf8");
  } catch (error) {
    throw new SamlError("metadata_signing_cert_unreadable", `cannot read metadata signing certificate ${path}: ${(error as Error).message}`);
  }
  try {
    new X509Certificate(pem);
  } catch {
    throw new SamlError("metadata_signing_cert_unreadable", `${path} is not a PEM certificate`);
  }
  return pem;
}

/** Verifies the metadata's signature with `certificatePem` and returns the signed document, re-serialized from the signed bytes. */
export function verifiedMetadataXml(xml: string, certificatePem: string): string {
  const root = parseXml(xml, METADATA_XML_LIMITS, { allowCommentsOutsideRoot: true }).documentElement;
  if (!findEnvelopedSignature(root)) {
    throw new SamlError("metadata_signature_missing", `metadata ${root.localName} is not signed, and this party's config requires a signature`);
  }
  const signed = verifyEnvelopedSignature(root, { trustedCertificates: [certificatePem], allowSha1: false, limits: METADATA_XML_LIMITS, refuseComments: false });
  return serializeXml(signed);
}
