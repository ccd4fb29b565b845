/**
 * The independent check of the attack tests and the fuzz harness: whether
 * xml-crypto on its own (key from our trusted certificate, KeyInfo ignored,
 * no allow-list) accepts the signature enveloped in one element. Shows that a
 * refusal comes from the broker's own checks, not from a signature the
 * attack simply got wrong.
 */
import { SignedXml } from "xml-crypto";

/** Whether xml-crypto alone verifies the Signature that is a direct child of `signed`, over the whole of `xml`. */
export function xmlCryptoAccepts(xml: string, signed: Element | undefined, certificatePem: string): boolean {
  const signature = signed && Array.from(signed.childNodes).find((n) => n.nodeType === 1 && (n as Element).localName === "Signature");
  if (!signature) return false;
  try {
    const verifier = new SignedXml({ publicCert: certificatePem, getCertFromKeyInfo: () => null });
    verifier.loadSignature(signature as Element);
    return verifier.checkSignature(xml);
  } catch {
    return false;
  }
}
