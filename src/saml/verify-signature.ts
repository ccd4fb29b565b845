/**
 * Verify an enveloped XML signature, then hand back only what it covers.
 *
 * Rules (DESIGN.md): keys come only from trusted metadata (KeyInfo in the
 * message is ignored); algorithms, canonicalization and transforms are
 * allow-listed and checked before any cryptography; the signature must be a
 * direct child of the element it signs and its single Reference must point at
 * that element's ID, which must be unique in the document; after a successful
 * check the caller gets a fresh parse of the signed, canonical bytes, so every
 * later read sees exactly what was signed.
 */
import {
  ALLOWED_CANONICALIZATION,
  ALLOWED_TRANSFORMS,
  MAX_TRANSFORMS,
  allowedDigestAlgorithms,
  allowedSignatureAlgorithms,
  type AlgorithmPolicy,
} from "./algorithms.js";
import { NS } from "./namespaces.js";
import { SamlError } from "./saml-error.js";
import { canonicalize, referenceDigest, verifySignatureValue, type TransformStep } from "./xml-dsig.js";
import {
  allChildElements,
  attr,
  childElements,
  descendants,
  optionalChild,
  parseXml,
  requiredAttr,
  requiredChild,
  textOf,
  type XmlLimits,
  DEFAULT_XML_LIMITS,
} from "../xml/xml-parser.js";

export interface VerifyOptions extends AlgorithmPolicy {
  /** PEM certificates from trusted metadata. Empty → fail closed. */
  trustedCertificates: readonly string[];
  limits?: XmlLimits;
  /**
   * Refuse comments inside the signed element (default true). Canonicalization
   * drops them, so a comment inside a signed value (`victim@kommune.dk<!---->.evil.dk`)
   * leaves the signature valid while a reader of the received tree would see
   * another value. SAML messages never need them; metadata may carry them.
   */
  refuseComments?: boolean;
}

/** The enveloped ds:Signature directly under `element`, or null when it carries none. */
export function findEnvelopedSignature(element: Element): Element | null {
  const signatures = childElements(element, NS.ds, "Signature");
  if (signatures.length > 1) throw new SamlError("signature_ambiguous", `${element.localName} carries more than one Signature`);
  return signatures[0] ?? null;
}

/**
 * Verifies the signature enveloped in `element` and returns the signed element
 * re-parsed from the canonical bytes the signature covers.
 */
export function verifyEnvelopedSignature(element: Element, options: VerifyOptions): Element {
  if (options.trustedCertificates.length === 0) {
    throw new SamlError("no_trusted_key", "no trusted signing certificate is configured for this party");
  }
  const signature = findEnvelopedSignature(element);
  if (!signature) throw new SamlError("signature_missing", `${element.localName} is not signed`);
  const id = requiredAttr(element, "ID");
  checkSignatureShape(signature, id, options);
  checkIdUnique(element, id);
  if (options.refuseComments !== false) checkNoComments(element);

  const limits = options.limits ?? DEFAULT_XML_LIMITS;
  const signedDoc = parseXml(checkDigestAndSignatureValue(element, signature, id, options, limits), limits);
  const signed = signedDoc.documentElement;
  if (signed.namespaceURI !== element.namespaceURI || signed.localName !== element.localName || attr(signed, "ID") !== id) {
    throw new SamlError("signature_reference", "signed content is not the element being read");
  }
  return signed;
}

/**
 * The cryptographic check, after the structure check: canonicalize SignedInfo,
 * read the Reference from that canonical form (what the signature covers),
 * compare the digest of the element (signature removed, canonicalized) and
 * verify the signature value with each trusted key in turn. Returns the
 * canonical bytes the digest covers.
 */
function checkDigestAndSignatureValue(element: Element, signature: Element, id: string, options: VerifyOptions, limits: XmlLimits): string {
  const [signedInfoElement, signatureValueElement] = allChildElements(signature);
  const canonicalSignedInfo = canonicalize(signedInfoElement!, requiredAttr(requiredChild(signedInfoElement!, NS.ds, "CanonicalizationMethod"), "Algorithm"));
  const signedInfo = parseXml(canonicalSignedInfo, limits).documentElement;
  const signatureMethod = requiredAttr(requiredChild(signedInfo, NS.ds, "SignatureMethod"), "Algorithm");
  const reference = requiredChild(signedInfo, NS.ds, "Reference");
  const transformsElement = optionalChild(reference, NS.ds, "Transforms");
  const transforms: TransformStep[] = (transformsElement ? childElements(transformsElement, NS.ds, "Transform") : []).map((transform) => ({
    algorithm: requiredAttr(transform, "Algorithm"),
    prefixList: allChildElements(transform).flatMap((parameter) => (attr(parameter, "PrefixList") ?? "").split(/\s+/).filter(Boolean)),
  }));
  const digestMethod = requiredAttr(requiredChild(reference, NS.ds, "DigestMethod"), "Algorithm");
  // The structure check read these from the received tree; canonicalization must not have changed them.
  if (
    attr(reference, "URI") !== `#${id}` ||
    !allowedSignatureAlgorithms(options).includes(signatureMethod) ||
    !allowedDigestAlgorithms(options).includes(digestMethod) ||
    transforms.some((transform) => !ALLOWED_TRANSFORMS.includes(transform.algorithm))
  ) {
    throw new SamlError("signature_malformed", "canonical SignedInfo differs from the SignedInfo that was checked");
  }
  const expectedDigest = Buffer.from(textOf(requiredChild(reference, NS.ds, "DigestValue")).replace(/\s+/g, ""), "base64");
  const { canonical, digest } = referenceDigest(element, signature, transforms, digestMethod);
  if (!digest.equals(expectedDigest)) {
    throw new SamlError("signature_invalid", `signature on ${element.localName} does not verify: the digest of the signed content does not match`);
  }
  const signatureValue = Buffer.from(textOf(signatureValueElement!).replace(/\s+/g, ""), "base64");
  const failures: string[] = [];
  for (const certificate of options.trustedCertificates) {
    try {
      if (verifySignatureValue(canonicalSignedInfo, signatureMethod, signatureValue, certificate)) return canonical;
      failures.push("signature value does not verify");
    } catch (error) {
      failures.push((error as Error).message.split("\n")[0] ?? "verification error");
    }
  }
  throw new SamlError("signature_invalid", `signature on ${element.localName} did not verify with any trusted key (${failures[0] ?? "unknown"})`);
}

/**
 * Names xml-crypto looks up by local name, in any namespace, and in places by
 * the first match in document order anywhere inside the Signature (for
 * example `.//*[local-name(.)='SignatureMethod']`). Each may occur only as the
 * one ds element checked here, so the algorithm xml-crypto uses is the one the
 * allow-list saw, and never one hidden in the unsigned KeyInfo.
 */
const DSIG_NAMES: readonly string[] = [
  "Signature",
  "SignedInfo",
  "CanonicalizationMethod",
  "SignatureMethod",
  "Reference",
  "Transforms",
  "Transform",
  "DigestMethod",
  "DigestValue",
  "SignatureValue",
  "KeyInfo",
  "Object",
  "Manifest",
];

function checkSignatureShape(signature: Element, id: string, policy: VerifyOptions): void {
  const children = allChildElements(signature);
  const order = children.map((child) => (child.namespaceURI === NS.ds ? child.localName : `{${child.namespaceURI ?? ""}}${child.localName}`));
  if (order.join(",") !== "SignedInfo,SignatureValue" && order.join(",") !== "SignedInfo,SignatureValue,KeyInfo") {
    throw new SamlError("signature_malformed", `Signature must hold SignedInfo, SignatureValue and optionally KeyInfo, in that order (found ${order.join(", ").slice(0, 200) || "nothing"})`);
  }
  const signedInfo = children[0]!;
  const signatureValue = children[1]!;
  textOf(signatureValue);
  const c14nMethod = requiredChild(signedInfo, NS.ds, "CanonicalizationMethod");
  const signatureMethodElement = requiredChild(signedInfo, NS.ds, "SignatureMethod");
  const checked = new Set<Element>([signedInfo, signatureValue, c14nMethod, signatureMethodElement]);
  if (children[2]) checked.add(children[2]);
  const c14n = requiredAttr(c14nMethod, "Algorithm");
  if (!ALLOWED_CANONICALIZATION.includes(c14n)) throw new SamlError("algorithm_not_allowed", `canonicalization ${c14n} is not allowed`);
  const signatureMethod = requiredAttr(signatureMethodElement, "Algorithm");
  if (!allowedSignatureAlgorithms(policy).includes(signatureMethod)) {
    throw new SamlError("algorithm_not_allowed", `signature algorithm ${signatureMethod} is not allowed`);
  }
  const references = childElements(signedInfo, NS.ds, "Reference");
  if (references.length !== 1) throw new SamlError("signature_reference", `SignedInfo must hold exactly one Reference (found ${references.length})`);
  const reference = references[0]!;
  checked.add(reference);
  if (attr(reference, "URI") !== `#${id}`) {
    throw new SamlError("signature_reference", "signature Reference does not point at the signed element");
  }
  const transformsElement = childElements(reference, NS.ds, "Transforms");
  if (transformsElement.length > 1) throw new SamlError("signature_malformed", "more than one Transforms");
  const transforms = transformsElement[0] ? childElements(transformsElement[0], NS.ds, "Transform") : [];
  if (transformsElement[0]) checked.add(transformsElement[0]);
  if (transforms.length > MAX_TRANSFORMS) throw new SamlError("algorithm_not_allowed", `more than ${MAX_TRANSFORMS} transforms`);
  for (const transform of transforms) {
    checked.add(transform);
    const algorithm = requiredAttr(transform, "Algorithm");
    if (!ALLOWED_TRANSFORMS.includes(algorithm)) throw new SamlError("algorithm_not_allowed", `transform ${algorithm} is not allowed`);
    for (const child of allChildElements(transform)) {
      if (child.localName !== "InclusiveNamespaces") throw new SamlError("algorithm_not_allowed", `transform parameter ${child.localName} is not allowed`);
    }
  }
  const digestMethodElement = requiredChild(reference, NS.ds, "DigestMethod");
  const digestMethod = requiredAttr(digestMethodElement, "Algorithm");
  if (!allowedDigestAlgorithms(policy).includes(digestMethod)) {
    throw new SamlError("algorithm_not_allowed", `digest algorithm ${digestMethod} is not allowed`);
  }
  const digestValue = requiredChild(reference, NS.ds, "DigestValue");
  textOf(digestValue);
  checked.add(digestMethodElement).add(digestValue);
  for (const element of Array.from(signature.getElementsByTagNameNS("*", "*") as unknown as ArrayLike<Element>)) {
    if (DSIG_NAMES.includes(element.localName) && !checked.has(element)) {
      throw new SamlError("signature_malformed", `unexpected ${element.localName} inside the Signature`);
    }
  }
}

/**
 * The ID must occur once in the whole document, counted the way xml-crypto
 * resolves a Reference: any attribute whose local name is ID, Id or id, in any
 * namespace (`x:ID` included).
 */
function checkIdUnique(element: Element, id: string): void {
  const root = element.ownerDocument.documentElement;
  let count = 0;
  const stack: Element[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const attributes = node.attributes;
    for (let i = 0; i < attributes.length; i += 1) {
      const attribute = attributes.item(i)!;
      const localName = attribute.localName ?? attribute.name;
      if ((localName === "ID" || localName === "Id" || localName === "id") && attribute.value === id) count += 1;
    }
    stack.push(...allChildElements(node));
  }
  if (count !== 1) throw new SamlError("duplicate_id", `ID ${id} occurs ${count} times in the document`);
}

const COMMENT_NODE = 8;

function checkNoComments(element: Element): void {
  const stack: Node[] = [element];
  while (stack.length > 0) {
    const node = stack.pop()!;
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === COMMENT_NODE) {
        throw new SamlError("signed_content_has_comment", `signed ${element.localName} contains a comment (inside ${(node as Element).localName ?? "?"})`);
      }
      if (child.nodeType === 1) stack.push(child);
    }
  }
}

export { descendants };
