/** Allow-listed algorithms. Anything not listed here is rejected before any cryptography runs. */

export const SIGNATURE_ALGORITHM = {
  rsaSha256: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
  rsaSha512: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
  rsaPssSha256: "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1",
  rsaSha1: "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
} as const;
export type SignatureAlgorithm = (typeof SIGNATURE_ALGORITHM)[keyof typeof SIGNATURE_ALGORITHM];

export const DIGEST_ALGORITHM = {
  sha256: "http://www.w3.org/2001/04/xmlenc#sha256",
  sha512: "http://www.w3.org/2001/04/xmlenc#sha512",
  sha1: "http://www.w3.org/2000/09/xmldsig#sha1",
} as const;

export const C14N = {
  exclusive: "http://www.w3.org/2001/10/xml-exc-c14n#",
  inclusive: "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
} as const;
export const TRANSFORM_ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

export const CONTENT_ENCRYPTION = {
  aes256gcm: "http://www.w3.org/2009/xmlenc11#aes256-gcm",
  aes128gcm: "http://www.w3.org/2009/xmlenc11#aes128-gcm",
  aes256cbc: "http://www.w3.org/2001/04/xmlenc#aes256-cbc",
  aes128cbc: "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
} as const;
export type ContentEncryption = (typeof CONTENT_ENCRYPTION)[keyof typeof CONTENT_ENCRYPTION];

export const KEY_TRANSPORT = {
  rsaOaep: "http://www.w3.org/2009/xmlenc11#rsa-oaep",
  rsaOaepMgf1p: "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
} as const;
export type KeyTransport = (typeof KEY_TRANSPORT)[keyof typeof KEY_TRANSPORT];

export interface AlgorithmPolicy {
  /** SHA-1 (rsa-sha1 signatures, sha1 digests) only when a party's config explicitly allows it. */
  allowSha1: boolean;
}

export function allowedSignatureAlgorithms(policy: AlgorithmPolicy): readonly string[] {
  const base: string[] = [SIGNATURE_ALGORITHM.rsaSha256, SIGNATURE_ALGORITHM.rsaSha512, SIGNATURE_ALGORITHM.rsaPssSha256];
  return policy.allowSha1 ? [...base, SIGNATURE_ALGORITHM.rsaSha1] : base;
}

export function allowedDigestAlgorithms(policy: AlgorithmPolicy): readonly string[] {
  const base: string[] = [DIGEST_ALGORITHM.sha256, DIGEST_ALGORITHM.sha512];
  return policy.allowSha1 ? [...base, DIGEST_ALGORITHM.sha1] : base;
}

export const ALLOWED_CANONICALIZATION: readonly string[] = [C14N.exclusive, C14N.inclusive];
export const ALLOWED_TRANSFORMS: readonly string[] = [TRANSFORM_ENVELOPED, C14N.exclusive, C14N.inclusive];
export const MAX_TRANSFORMS = 2;
export const ALLOWED_CONTENT_ENCRYPTION: readonly string[] = Object.values(CONTENT_ENCRYPTION);
export const ALLOWED_KEY_TRANSPORT: readonly string[] = Object.values(KEY_TRANSPORT);
/** Digests allowed inside RSA-OAEP key transport. SHA-1 here is the OAEP mask, not a signature digest. */
export const ALLOWED_OAEP_DIGESTS: readonly string[] = [
  DIGEST_ALGORITHM.sha1,
  DIGEST_ALGORITHM.sha256,
  DIGEST_ALGORITHM.sha512,
  "http://www.w3.org/2000/09/xmldsig#sha256",
];
