/**
 * Enveloped XML signatures on messages the broker produces: exclusive c14n,
 * enveloped-signature and exclusive c14n transforms, SHA-256 digest, the
 * signing certificate in KeyInfo (the form xml-crypto produced before, built
 * here on one parse of the document with the key parsed once).
 */
import { createHash } from "node:crypto";
import { C14N, DIGEST_ALGORITHM, SIGNATURE_ALGORITHM, TRANSFORM_ENVELOPED, type SignatureAlgorithm } from "./algorithms.js";
import type { KeyMaterial } from "../keys/key-material.js";
import { NS } from "./namespaces.js";
import { parseXml, serializeXml } from "../xml/xml-parser.js";
import { canonicalize, signatureValueFor } from "./xml-dsig.js";

export interface SignOptions {
  key: KeyMaterial;
  algorithm?: SignatureAlgorithm;
}

const XMLNS = "http://www.w3.org/2000/xmlns/";

/** The element whose ID attribute is `id`, in document order. */
function elementWithId(doc: Document, id: string): Element | undefined {
  const stack: Element[] = [doc.documentElement];
  while (stack.length > 0) {
    const element = stack.pop()!;
    if (element.getAttribute("ID") === id) return element;
    for (let child = element.lastChild; child; child = child.previousSibling) if (child.nodeType === 1) stack.push(child as Element);
  }
  return undefined;
}

/**
 * Signs the element with the given ID inside `xml` and places the signature
 * right after that element's Issuer (the schema position for SAML messages and
 * assertions) or first in it when it has no Issuer child.
 */
export function signEnveloped(xml: string, id: string, hasIssuer: boolean, options: SignOptions): string {
  // The one parser, as everywhere: what the broker signs must itself be well-formed, strict XML.
  const doc = parseXml(xml, { maxBytes: 4 * 1024 * 1024, maxDepth: 64, maxElements: 200_000 });
  const element = elementWithId(doc, id);
  if (!element) throw new Error(`cannot sign: no element with ID ${id}`);
  const algorithm = options.algorithm ?? SIGNATURE_ALGORITHM.rsaSha256;
  const ds = (name: string, attributes: Record<string, string> = {}, children: Array<Element | string> = []): Element => {
    const node = doc.createElementNS(NS.ds, `ds:${name}`);
    for (const [attribute, value] of Object.entries(attributes)) node.setAttribute(attribute, value);
    for (const child of children) node.appendChild(typeof child === "string" ? doc.createTextNode(child) : child);
    return node;
  };
  // The element has no signature yet, so the enveloped transform leaves it as it is.
  const digest = createHash("sha256").update(canonicalize(element, C14N.exclusive), "utf8").digest("base64");
  const signedInfo = ds("SignedInfo", {}, [
    ds("CanonicalizationMethod", { Algorithm: C14N.exclusive }),
    ds("SignatureMethod", { Algorithm: algorithm }),
    ds("Reference", { URI: `#${id}` }, [
      ds("Transforms", {}, [ds("Transform", { Algorithm: TRANSFORM_ENVELOPED }), ds("Transform", { Algorithm: C14N.exclusive })]),
      ds("DigestMethod", { Algorithm: DIGEST_ALGORITHM.sha256 }),
      ds("DigestValue", {}, [digest]),
    ]),
  ]);
  const signature = ds("Signature", {}, [signedInfo]);
  signature.setAttributeNS(XMLNS, "xmlns:ds", NS.ds);
  if (hasIssuer) {
    let issuer: Element | undefined;
    for (let child = element.firstChild; child && !issuer; child = child.nextSibling) {
      if (child.nodeType === 1 && (child as Element).localName === "Issuer") issuer = child as Element;
    }
    if (!issuer) throw new Error(`cannot sign: element ${id} has no Issuer to place the signature after`);
    element.insertBefore(signature, issuer.nextSibling);
  } else {
    element.insertBefore(signature, element.firstChild);
  }
  signature.appendChild(ds("SignatureValue", {}, [signatureValueFor(canonicalize(signedInfo, C14N.exclusive), algorithm, options.key.privateKey)]));
  signature.appendChild(ds("KeyInfo", {}, [ds("X509Data", {}, [ds("X509Certificate", {}, [options.key.certificateBase64])])]));
  return serializeXml(doc);
}
