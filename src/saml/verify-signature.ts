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
import { SignedXml } from "xml-crypto";
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
import {
  allChildElements,
  attr,
  childElements,
  descendants,
  parseXml,
  requiredAttr,
  requiredChild,
  serializeXml,
  textOf,
  type XmlLimits,
  DEFAULT_XML_LIMITS,
} from "./xml-parser.js";

export interface VerifyOptions extends AlgorithmPolicy {
  /** PEM certificates from trusted metadata. Empty → fail closed. */
  trustedCertificates: readonly string[];
  limits?: XmlLimits;
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

  const documentXml = serializeXml(element.ownerDocument);
  const failures: string[] = [];
  for (const certificate of options.trustedCertificates) {
    const verifier = new SignedXml({
      publicCert: certificate,
      getCertFromKeyInfo: () => null,
    });
    try {
      verifier.loadSignature(signature);
      if (!verifier.checkSignature(documentXml)) {
        failures.push("signature value does not verify");
        continue;
      }
    } catch (error) {
      failures.push((error as Error).message.split("\n")[0] ?? "verification error");
      continue;
    }
    const signedReferences = verifier.getSignedReferences();
    if (signedReferences.length !== 1 || signedReferences[0] === undefined) {
      throw new SamlError("signature_reference", "signature must cover exactly one element");
    }
    const signedDoc = parseXml(signedReferences[0], options.limits ?? DEFAULT_XML_LIMITS);
    const signed = signedDoc.documentElement;
    if (signed.namespaceURI !== element.namespaceURI || signed.localName !== element.localName || attr(signed, "ID") !== id) {
      throw new SamlError("signature_reference", "signed content is not the element being read");
    }
    return signed;
  }
  throw new SamlError("signature_invalid", `signature on ${element.localName} did not verify with any trusted key (${failures[0] ?? "unknown"})`);
}

function checkSignatureShape(signature: Element, id: string, policy: VerifyOptions): void {
  const signedInfos = childElements(signature, NS.ds, "SignedInfo");
  if (signedInfos.length !== 1) throw new SamlError("signature_malformed", `Signature must hold exactly one SignedInfo (found ${signedInfos.length})`);
  const signatureValues = childElements(signature, NS.ds, "SignatureValue");
  if (signatureValues.length !== 1) throw new SamlError("signature_malformed", "Signature must hold exactly one SignatureValue");
  textOf(signatureValues[0]!);
  for (const child of allChildElements(signature)) {
    if (child.namespaceURI !== NS.ds || !["SignedInfo", "SignatureValue", "KeyInfo"].includes(child.localName)) {
      throw new SamlError("signature_malformed", `unexpected ${child.localName} in Signature`);
    }
  }
  const signedInfo = signedInfos[0]!;
  const c14n = requiredAttr(requiredChild(signedInfo, NS.ds, "CanonicalizationMethod"), "Algorithm");
  if (!ALLOWED_CANONICALIZATION.includes(c14n)) throw new SamlError("algorithm_not_allowed", `canonicalization ${c14n} is not allowed`);
  const signatureMethod = requiredAttr(requiredChild(signedInfo, NS.ds, "SignatureMethod"), "Algorithm");
  if (!allowedSignatureAlgorithms(policy).includes(signatureMethod)) {
    throw new SamlError("algorithm_not_allowed", `signature algorithm ${signatureMethod} is not allowed`);
  }
  const references = childElements(signedInfo, NS.ds, "Reference");
  if (references.length !== 1) throw new SamlError("signature_reference", `SignedInfo must hold exactly one Reference (found ${references.length})`);
  const reference = references[0]!;
  if (attr(reference, "URI") !== `#${id}`) {
    throw new SamlError("signature_reference", "signature Reference does not point at the signed element");
  }
  const transformsElement = childElements(reference, NS.ds, "Transforms");
  if (transformsElement.length > 1) throw new SamlError("signature_malformed", "more than one Transforms");
  const transforms = transformsElement[0] ? childElements(transformsElement[0], NS.ds, "Transform") : [];
  if (transforms.length > MAX_TRANSFORMS) throw new SamlError("algorithm_not_allowed", `more than ${MAX_TRANSFORMS} transforms`);
  for (const transform of transforms) {
    const algorithm = requiredAttr(transform, "Algorithm");
    if (!ALLOWED_TRANSFORMS.includes(algorithm)) throw new SamlError("algorithm_not_allowed", `transform ${algorithm} is not allowed`);
    for (const child of allChildElements(transform)) {
      if (child.localName !== "InclusiveNamespaces") throw new SamlError("algorithm_not_allowed", `transform parameter ${child.localName} is not allowed`);
    }
  }
  const digestMethod = requiredAttr(requiredChild(reference, NS.ds, "DigestMethod"), "Algorithm");
  if (!allowedDigestAlgorithms(policy).includes(digestMethod)) {
    throw new SamlError("algorithm_not_allowed", `digest algorithm ${digestMethod} is not allowed`);
  }
  textOf(requiredChild(reference, NS.ds, "DigestValue"));
}

function checkIdUnique(element: Element, id: string): void {
  const root = element.ownerDocument.documentElement;
  let count = 0;
  const stack: Element[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    for (const name of ["ID", "Id", "id"]) if (node.getAttribute(name) === id) count += 1;
    stack.push(...allChildElements(node));
  }
  if (count !== 1) throw new SamlError("duplicate_id", `ID ${id} occurs ${count} times in the document`);
}

export { descendants };
