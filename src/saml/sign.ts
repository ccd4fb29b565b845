/** Enveloped XML signatures on messages the broker produces. */
import { SignedXml } from "xml-crypto";
import { C14N, DIGEST_ALGORITHM, SIGNATURE_ALGORITHM, TRANSFORM_ENVELOPED, type SignatureAlgorithm } from "./algorithms.js";
import type { KeyMaterial } from "../keys/key-material.js";

export interface SignOptions {
  key: KeyMaterial;
  algorithm?: SignatureAlgorithm;
}

/**
 * Signs the element with the given ID inside `xml` and places the signature
 * right after that element's Issuer (the schema position for SAML messages and
 * assertions) or first in it when it has no Issuer child.
 */
export function signEnveloped(xml: string, id: string, hasIssuer: boolean, options: SignOptions): string {
  const signer = new SignedXml({
    privateKey: options.key.privateKeyPem,
    publicCert: options.key.certificatePem,
    signatureAlgorithm: options.algorithm ?? SIGNATURE_ALGORITHM.rsaSha256,
    canonicalizationAlgorithm: C14N.exclusive,
  });
  signer.addReference({
    xpath: `//*[@ID='${id}']`,
    transforms: [TRANSFORM_ENVELOPED, C14N.exclusive],
    digestAlgorithm: DIGEST_ALGORITHM.sha256,
  });
  const location = hasIssuer
    ? { reference: `//*[@ID='${id}']/*[local-name(.)='Issuer']`, action: "after" as const }
    : { reference: `//*[@ID='${id}']`, action: "prepend" as const };
  signer.computeSignature(xml, { prefix: "ds", location });
  return signer.getSignedXml();
}
