/**
 * The algorithms a verified message used, for diagnostics (the IdP
 * self-check): read from the Signature elements that were verified and the
 * EncryptedAssertion that was decrypted; and the NameFormat each attribute
 * of the verified assertion was sent with. Never used to decide anything.
 */
import { NS } from "./namespaces.js";
import { descendants } from "./verify-signature.js";

export interface MessageAlgorithms {
  signature: string[];
  digest: string[];
  /** The assertion's content encryption (EncryptedData's EncryptionMethod), when it arrived encrypted. */
  dataEncryption: string | undefined;
  /** The key transport (EncryptedKey's EncryptionMethod), when it arrived encrypted. */
  keyTransport: string | undefined;
}

function algorithmsOf(root: Element, ns: string, local: string): string[] {
  return descendants(root, ns, local)
    .map((element) => element.getAttribute("Algorithm"))
    .filter((value): value is string => typeof value === "string" && value !== "");
}

/** Adds what `signature` used, once it has verified; returns `verified` (the verified element) for chaining. */
export function addSignatureAlgorithms(into: MessageAlgorithms, signature: Element, verified: Element): Element {
  for (const value of algorithmsOf(signature, NS.ds, "SignatureMethod")) if (!into.signature.includes(value)) into.signature.push(value);
  for (const value of algorithmsOf(signature, NS.ds, "DigestMethod")) if (!into.digest.includes(value)) into.digest.push(value);
  return verified;
}

/** Adds what `encrypted` (the EncryptedAssertion that was decrypted) used. */
export function addEncryptionAlgorithms(into: MessageAlgorithms, encrypted: Element): void {
  const keys = descendants(encrypted, NS.xenc, "EncryptedKey");
  into.keyTransport = keys.length > 0 ? algorithmsOf(keys[0]!, NS.xenc, "EncryptionMethod")[0] : undefined;
  const data = descendants(encrypted, NS.xenc, "EncryptedData")[0];
  into.dataEncryption = data ? algorithmsOf(data, NS.xenc, "EncryptionMethod")[0] : undefined;
}

export function noAlgorithms(): MessageAlgorithms {
  return { signature: [], digest: [], dataEncryption: undefined, keyTransport: undefined };
}

/** An attribute's name and the NameFormat it was sent with (undefined: none given). */
export interface AttributeNameFormat {
  name: string;
  nameFormat: string | undefined;
}

/** The NameFormat of each attribute in the verified assertion's AttributeStatement, in document order (a name once). */
export function attributeNameFormats(assertion: Element): AttributeNameFormat[] {
  const seen = new Map<string, AttributeNameFormat>();
  for (const attribute of descendants(assertion, NS.saml, "Attribute")) {
    const name = attribute.getAttribute("Name");
    if (name && !seen.has(name)) seen.set(name, { name, nameFormat: attribute.getAttribute("NameFormat") || undefined });
  }
  return [...seen.values()];
}
