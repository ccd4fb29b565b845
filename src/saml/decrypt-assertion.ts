/**
 * Decrypts a saml:EncryptedAssertion (or a LogoutRequest's saml:EncryptedID)
 * with the broker's key, after checking the content and key-transport
 * algorithms against the allow-list. The plaintext goes through the one strict
 * parser and must be exactly one saml:Assertion (saml:NameID).
 */
import type { KeyObject } from "node:crypto";
import { XmlError } from "../xml/xml-error.js";
import xmlenc from "xml-encryption";
import { ALLOWED_CONTENT_ENCRYPTION, ALLOWED_KEY_TRANSPORT, ALLOWED_OAEP_DIGESTS } from "./algorithms.js";
import { NS } from "./namespaces.js";
import { SamlError } from "./saml-error.js";
import { STATUS } from "./namespaces.js";
import { childElements, optionalChild, parseXml, requiredAttr, requiredChild, type XmlLimits, DEFAULT_XML_LIMITS } from "../xml/xml-parser.js";

/** What one kind of encrypted element holds, and the reason code when it holds anything else. */
interface EncryptedKind {
  wrapper: "EncryptedAssertion" | "EncryptedID";
  content: "Assertion" | "NameID";
  notOneReason: string;
}

const ENCRYPTED_ASSERTION: EncryptedKind = { wrapper: "EncryptedAssertion", content: "Assertion", notOneReason: "decrypted_not_one_assertion" };
const ENCRYPTED_ID: EncryptedKind = { wrapper: "EncryptedID", content: "NameID", notOneReason: "decrypted_not_one_nameid" };

/**
 * `decryptionKeys` are tried in order: a parsed KeyObject is the fast path; a
 * PEM string also works where xml-encryption parses the key itself (RSA-OAEP
 * with an MGF1 digest other than the OAEP digest).
 */
export function decryptAssertion(encryptedAssertion: Element, decryptionKeys: ReadonlyArray<string | KeyObject>, limits: XmlLimits = DEFAULT_XML_LIMITS): Promise<Element> {
  return decryptElement(encryptedAssertion, decryptionKeys, limits, ENCRYPTED_ASSERTION);
}

/** A saml:EncryptedID (Saml2Core §2.2.4), which must hold a saml:NameID. */
export function decryptNameId(encryptedId: Element, decryptionKeys: ReadonlyArray<string | KeyObject>, limits: XmlLimits = DEFAULT_XML_LIMITS): Promise<Element> {
  return decryptElement(encryptedId, decryptionKeys, limits, ENCRYPTED_ID);
}

async function decryptElement(wrapper: Element, decryptionKeys: ReadonlyArray<string | KeyObject>, limits: XmlLimits, kind: EncryptedKind): Promise<Element> {
  const encryptedDataList = childElements(wrapper, NS.xenc, "EncryptedData");
  if (encryptedDataList.length !== 1) throw new SamlError("encryption_malformed", `${kind.wrapper} must hold exactly one EncryptedData`);
  const encryptedData = encryptedDataList[0]!;
  const contentAlgorithm = requiredAttr(requiredChild(encryptedData, NS.xenc, "EncryptionMethod"), "Algorithm");
  if (!ALLOWED_CONTENT_ENCRYPTION.includes(contentAlgorithm)) {
    throw new SamlError("algorithm_not_allowed", `content encryption ${contentAlgorithm} is not allowed`);
  }
  let keyInfo = optionalChild(encryptedData, NS.ds, "KeyInfo");
  let encryptedKeys = keyInfo ? childElements(keyInfo, NS.xenc, "EncryptedKey") : [];
  if (encryptedKeys.length === 0) {
    // OIOSAML allows the EncryptedKey as a sibling of EncryptedData: move it inline.
    const siblings = childElements(wrapper, NS.xenc, "EncryptedKey");
    if (siblings.length !== 1) throw new SamlError("encryption_malformed", `${kind.wrapper} must carry exactly one EncryptedKey`);
    if (!keyInfo) {
      keyInfo = encryptedData.ownerDocument.createElementNS(NS.ds, "ds:KeyInfo");
      const cipherData = requiredChild(encryptedData, NS.xenc, "CipherData");
      encryptedData.insertBefore(keyInfo, cipherData);
    }
    for (const stale of Array.from(keyInfo.childNodes)) keyInfo.removeChild(stale);
    keyInfo.appendChild(siblings[0]!);
    encryptedKeys = [siblings[0]!];
  }
  if (encryptedKeys.length !== 1) throw new SamlError("encryption_malformed", "EncryptedData must carry exactly one EncryptedKey");
  const keyMethod = requiredChild(encryptedKeys[0]!, NS.xenc, "EncryptionMethod");
  const keyAlgorithm = requiredAttr(keyMethod, "Algorithm");
  if (!ALLOWED_KEY_TRANSPORT.includes(keyAlgorithm)) throw new SamlError("algorithm_not_allowed", `key transport ${keyAlgorithm} is not allowed`);
  const digest = optionalChild(keyMethod, NS.ds, "DigestMethod");
  if (digest && !ALLOWED_OAEP_DIGESTS.includes(requiredAttr(digest, "Algorithm"))) {
    throw new SamlError("algorithm_not_allowed", "key transport digest is not allowed");
  }
  // xml-encryption finds EncryptedKey and EncryptionMethod by local name, in
  // any namespace and at any depth: it must only be able to find the ones
  // checked above, since the allow-list is the only algorithm policy applied.
  const byLocalName = (root: Element, name: string) => root.getElementsByTagNameNS("*", name).length;
  const childrenByLocalName = (parent: Element, name: string) =>
    Array.from(parent.childNodes).filter((n) => n.nodeType === 1 && (n as Element).localName === name).length;
  if (
    byLocalName(encryptedData, "EncryptedData") !== 0 ||
    byLocalName(encryptedData, "EncryptedKey") !== 1 ||
    childrenByLocalName(encryptedData, "EncryptionMethod") !== 1 ||
    childrenByLocalName(encryptedKeys[0]!, "EncryptionMethod") !== 1
  ) {
    throw new SamlError("encryption_malformed", "EncryptedData must hold one EncryptionMethod and one EncryptedKey, and nothing that looks like either");
  }

  let plaintext: string | undefined;
  for (const key of decryptionKeys) {
    plaintext = await new Promise<string | undefined>((resolve) => {
      // The allow-list (algorithms.ts) admits AES-CBC, which xml-encryption
      // counts as insecure and would refuse; everything else it would refuse
      // is already rejected above.
      xmlenc.decrypt(encryptedData, { key, disallowDecryptionWithInsecureAlgorithm: false, warnInsecureAlgorithm: false }, (error, result) => {
        resolve(error || result === undefined ? undefined : result.toString());
      });
    });
    if (plaintext !== undefined) break;
  }
  if (plaintext === undefined) {
    throw new SamlError("decryption_failed", `${kind.wrapper} could not be decrypted with the broker's key`, STATUS.responder);
  }
  let doc: Document;
  try {
    doc = parseXml(plaintext, limits);
  } catch (error) {
    if (error instanceof XmlError) {
      throw new SamlError(kind.notOneReason, `decrypted content is not one ${kind.content}: ${error.message}`);
    }
    throw error;
  }
  const root = doc.documentElement;
  if (root.namespaceURI !== NS.saml || root.localName !== kind.content) {
    throw new SamlError(kind.notOneReason, `decrypted content is not a saml:${kind.content}`);
  }
  return root;
}
