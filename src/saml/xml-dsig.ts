/**
 * The XML-Signature arithmetic for one enveloped signature over one element,
 * on a DOM that is already parsed: canonicalization (xml-crypto's
 * canonicalizers, the same code as before), digest, and RSA through
 * node:crypto with each key parsed once.
 *
 * Nothing here decides whether a signature is acceptable: verify-signature.ts
 * checks structure, algorithms, the Reference and ID uniqueness first, and
 * only then asks this module whether the digest and the signature value are
 * right. Compared with xml-crypto's SignedXml this does no XPath lookups, no
 * serialize-and-reparse of the document and no key parsing per call, which
 * were most of the broker's CPU time per login.
 */
import { constants, createHash, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from "node:crypto";
import { publicKeyOf } from "./public-keys.js";
import { C14nCanonicalization, ExclusiveCanonicalization } from "xml-crypto";
import { C14N, DIGEST_ALGORITHM, SIGNATURE_ALGORITHM, TRANSFORM_ENVELOPED } from "./algorithms.js";
import { SamlError } from "./saml-error.js";

interface NamespaceBinding {
  prefix: string;
  namespaceURI: string;
}

export interface TransformStep {
  algorithm: string;
  /** InclusiveNamespaces PrefixList of an exclusive canonicalization transform. */
  prefixList: string[];
}

const exclusiveC14n = new ExclusiveCanonicalization();
const inclusiveC14n = new C14nCanonicalization();

const HASHES: Record<string, string> = {
  [DIGEST_ALGORITHM.sha256]: "sha256",
  [DIGEST_ALGORITHM.sha512]: "sha512",
  [DIGEST_ALGORITHM.sha1]: "sha1",
};

const SIGNATURE_SCHEMES: Record<string, { hash: string; pss: boolean }> = {
  [SIGNATURE_ALGORITHM.rsaSha256]: { hash: "sha256", pss: false },
  [SIGNATURE_ALGORITHM.rsaSha512]: { hash: "sha512", pss: false },
  [SIGNATURE_ALGORITHM.rsaPssSha256]: { hash: "sha256", pss: true },
  [SIGNATURE_ALGORITHM.rsaSha1]: { hash: "sha1", pss: false },
};

function hashFor(digestAlgorithm: string): string {
  const hash = HASHES[digestAlgorithm];
  if (!hash) throw new SamlError("algorithm_not_allowed", `digest algorithm ${digestAlgorithm} is not supported`);
  return hash;
}

function schemeFor(signatureAlgorithm: string): { hash: string; pss: boolean } {
  const scheme = SIGNATURE_SCHEMES[signatureAlgorithm];
  if (!scheme) throw new SamlError("algorithm_not_allowed", `signature algorithm ${signatureAlgorithm} is not supported`);
  return scheme;
}

/**
 * The namespace declarations in scope from the ancestors of `element` (the
 * nearest binding of each prefix), without undeclarations and without the
 * prefixes `element` declares or uses itself: what xml-crypto's findAncestorNs
 * hands its canonicalizers for a document subset.
 */
function ancestorNamespaces(element: Element): NamespaceBinding[] {
  const own = new Set<string>([element.prefix ?? ""]);
  for (let i = 0; i < element.attributes.length; i += 1) {
    const name = element.attributes.item(i)!.nodeName;
    if (name === "xmlns" || name.startsWith("xmlns:")) own.add(name === "xmlns" ? "" : name.slice(6));
  }
  const seen = new Set<string>();
  const out: NamespaceBinding[] = [];
  for (let parent = element.parentNode; parent && parent.nodeType === 1; parent = parent.parentNode) {
    const attributes = (parent as Element).attributes;
    for (let i = 0; i < attributes.length; i += 1) {
      const attribute = attributes.item(i)!;
      const name = attribute.nodeName;
      if (name !== "xmlns" && !name.startsWith("xmlns:")) continue;
      const prefix = name === "xmlns" ? "" : name.slice(6);
      if (seen.has(prefix)) continue;
      seen.add(prefix);
      if (attribute.nodeValue && !own.has(prefix)) out.push({ prefix, namespaceURI: attribute.nodeValue });
    }
  }
  return out;
}

/**
 * Canonical form of `element` as a document subset. The exclusive
 * canonicalizer writes prefix-list declarations onto the element it is
 * given, so with a prefix list it works on a copy.
 */
export function canonicalize(element: Element, algorithm: string, prefixList: string[] = []): string {
  const ancestors = ancestorNamespaces(element);
  if (algorithm === C14N.exclusive) {
    const listed = prefixList.length > 0 || hasInclusiveNamespaces(element);
    const target = listed ? (element.cloneNode(true) as Element) : element;
    return exclusiveC14n.process(target, { inclusiveNamespacesPrefixList: prefixList, ancestorNamespaces: ancestors });
  }
  if (algorithm === C14N.inclusive) return inclusiveC14n.process(element, { ancestorNamespaces: ancestors });
  throw new SamlError("algorithm_not_allowed", `canonicalization ${algorithm} is not supported`);
}

/** The exclusive canonicalizer reads a SignedInfo's own CanonicalizationMethod/InclusiveNamespaces. */
function hasInclusiveNamespaces(element: Element): boolean {
  for (let child = element.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === 1 && (child as Element).localName === "CanonicalizationMethod") {
      for (let inner = child.firstChild; inner; inner = inner.nextSibling) {
        if (inner.nodeType === 1 && (inner as Element).localName === "InclusiveNamespaces") return true;
      }
    }
  }
  return false;
}

/**
 * The canonical bytes a same-document Reference to `element` covers, and
 * their digest. Transforms: the enveloped-signature transform (removes
 * `signature`, which must be a child of `element`) and at most one
 * canonicalization, last; without one, inclusive c14n applies (XML-DSig
 * reference processing model). Other orders are refused.
 */
export function referenceDigest(element: Element, signature: Element, transforms: readonly TransformStep[], digestAlgorithm: string): { canonical: string; digest: Buffer } {
  let enveloped = false;
  let c14n: TransformStep | undefined;
  for (const transform of transforms) {
    if (c14n) throw new SamlError("algorithm_not_allowed", "a canonicalization transform must be the last transform");
    if (transform.algorithm === TRANSFORM_ENVELOPED) enveloped = true;
    else if (transform.algorithm === C14N.exclusive || transform.algorithm === C14N.inclusive) c14n = transform;
    else throw new SamlError("algorithm_not_allowed", `transform ${transform.algorithm} is not supported`);
  }
  const hash = hashFor(digestAlgorithm);
  // The enveloped transform on a detached view: the signature leaves the tree for the canonicalization and comes back.
  const detach = enveloped && signature.parentNode === element;
  const next = signature.nextSibling;
  if (detach) element.removeChild(signature);
  let canonical: string;
  try {
    canonical = canonicalize(element, c14n?.algorithm ?? C14N.inclusive, c14n?.prefixList ?? []);
  } finally {
    if (detach) element.insertBefore(signature, next);
  }
  return { canonical, digest: createHash(hash).update(canonical, "utf8").digest() };
}

function pssOptions(pss: boolean): { padding?: number; saltLength?: number } {
  return pss ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST } : {};
}

export function verifySignatureValue(canonicalSignedInfo: string, signatureAlgorithm: string, signatureValue: Buffer, certificatePem: string): boolean {
  const { hash, pss } = schemeFor(signatureAlgorithm);
  return cryptoVerify(hash, Buffer.from(canonicalSignedInfo, "utf8"), { key: publicKeyOf(certificatePem), ...pssOptions(pss) }, signatureValue);
}

export function signatureValueFor(canonicalSignedInfo: string, signatureAlgorithm: string, privateKey: KeyObject): string {
  const { hash, pss } = schemeFor(signatureAlgorithm);
  return cryptoSign(hash, Buffer.from(canonicalSignedInfo, "utf8"), { key: privateKey, ...pssOptions(pss) }).toString("base64");
}

export { hashFor };
