/**
 * Signs an element the broker builds itself (its assertions) without a DOM:
 * the element is written in exclusive canonical form and digested directly,
 * SignedInfo is written canonical and signed, and the element is written
 * once more for sending with the signature after its Issuer. The signature
 * has the same shape as signEnveloped's (sign.ts): enveloped-signature and
 * exclusive c14n transforms, SHA-256 digest, the certificate in KeyInfo.
 * The written text is well-formed by construction, so whoever embeds it need
 * not parse it again (WrittenXml).
 */
import { createHash } from "node:crypto";
import { C14N, DIGEST_ALGORITHM, SIGNATURE_ALGORITHM, TRANSFORM_ENVELOPED } from "./algorithms.js";
import { NS } from "./namespaces.js";
import { signatureValueFor } from "./xml-dsig.js";
import type { SignOptions } from "./sign.js";
import { x, type XmlNode } from "../xml/xml-builder.js";
import { writeXml } from "../xml/canonical-writer.js";

declare const written: unique symbol;
/** XML text written by the broker's own writer (or xml-encryption's template): well-formed by construction. */
export type WrittenXml = string & { readonly [written]: true };

export interface SignedElement {
  xml: WrittenXml;
  /** The exclusive canonical form the signature's digest covers (the element without its signature). */
  canonical: string;
}

/** Marks text that the broker's writers produced; for those writers only. */
export function asWritten(xml: string): WrittenXml {
  return xml as WrittenXml;
}

/**
 * `element`'s first child must be its Issuer (SAML's schema position for the
 * signature is right after it) and its ID attribute is the reference.
 */
export function signBuiltElement(element: XmlNode, options: SignOptions): SignedElement {
  const id = element.attrs?.["ID"];
  if (typeof id !== "string" || id === "") throw new Error("cannot sign: the element has no ID");
  const children = element.children ?? [];
  const issuer = children[0];
  if (!issuer || typeof issuer !== "object" || !issuer.name.endsWith(":Issuer")) throw new Error(`cannot sign: element ${id} does not start with an Issuer`);
  const algorithm = options.algorithm ?? SIGNATURE_ALGORITHM.rsaSha256;
  // The element has no signature yet, so the enveloped transform leaves it as it is.
  const canonical = writeXml(element, "canonical");
  const digest = createHash("sha256").update(canonical, "utf8").digest("base64");
  const signedInfo = x(NS.ds, "ds:SignedInfo", {}, [
    x(NS.ds, "ds:CanonicalizationMethod", { Algorithm: C14N.exclusive }),
    x(NS.ds, "ds:SignatureMethod", { Algorithm: algorithm }),
    x(NS.ds, "ds:Reference", { URI: `#${id}` }, [
      x(NS.ds, "ds:Transforms", {}, [x(NS.ds, "ds:Transform", { Algorithm: TRANSFORM_ENVELOPED }), x(NS.ds, "ds:Transform", { Algorithm: C14N.exclusive })]),
      x(NS.ds, "ds:DigestMethod", { Algorithm: DIGEST_ALGORITHM.sha256 }),
      x(NS.ds, "ds:DigestValue", {}, [digest]),
    ]),
  ]);
  // A verifier canonicalizes SignedInfo as its own apex: these are the bytes it checks the value against.
  const signatureValue = signatureValueFor(writeXml(signedInfo, "canonical"), algorithm, options.key.privateKey);
  const signature = x(NS.ds, "ds:Signature", {}, [
    signedInfo,
    x(NS.ds, "ds:SignatureValue", {}, [signatureValue]),
    x(NS.ds, "ds:KeyInfo", {}, [x(NS.ds, "ds:X509Data", {}, [x(NS.ds, "ds:X509Certificate", {}, [options.key.certificateBase64])])]),
  ]);
  const signedElement: XmlNode = { ...element, children: [issuer, signature, ...children.slice(1)] };
  return { xml: asWritten(writeXml(signedElement, "document")), canonical };
}
