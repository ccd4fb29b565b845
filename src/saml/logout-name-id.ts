/**
 * A LogoutRequest may name the person with an EncryptedID instead of a NameID
 * (Saml2Core §3.7.1); Shibboleth SP does so by default over the browser. After
 * the request's signature verified, the EncryptedID is decrypted with the
 * broker's key and the NameID takes its place in the verified element, so the
 * one reader (readLogoutRequest) reads it.
 */
import type { KeyMaterial } from "../keys/key-material.js";
import { NS } from "./namespaces.js";
import { SamlError } from "./saml-error.js";
import { decryptNameId } from "./decrypt-assertion.js";
import { childElements, type XmlLimits } from "../xml/xml-parser.js";

/** `decryption`: every key the broker may have been encrypted to (the current one, and the next during a rollover). */
export async function withDecryptedNameId(verifiedRequest: Element, decryption: readonly KeyMaterial[], limits: XmlLimits): Promise<Element> {
  const encrypted = childElements(verifiedRequest, NS.saml, "EncryptedID");
  if (encrypted.length === 0) return verifiedRequest;
  if (encrypted.length !== 1 || childElements(verifiedRequest, NS.saml, "NameID").length !== 0) {
    throw new SamlError("request_invalid", "LogoutRequest must name exactly one NameID or EncryptedID");
  }
  // the parsed key is the fast path; the PEM lets xml-encryption parse it itself (OAEP with another MGF1 digest)
  const nameId = await decryptNameId(encrypted[0]!, decryption.flatMap((key) => [key.privateKey, key.privateKeyPem]), limits);
  verifiedRequest.replaceChild(verifiedRequest.ownerDocument.importNode(nameId, true), encrypted[0]!);
  return verifiedRequest;
}
