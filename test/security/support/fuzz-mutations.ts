/**
 * The fuzz harness's mutations: fast-check arbitraries that describe a list
 * of byte and element edits (tokens and values that have broken SAML stacks,
 * forged copies of signed elements), and the code that applies them to a
 * message, with a lenient parser so a mutation can build what the broker's
 * strict parser refuses.
 */
import fc from "fast-check";
import { DOMParser } from "@xmldom/xmldom";
import { serializeXml } from "../../../src/xml/xml-parser.js";

export const FORGED = "Mallory-Forged";

/** Tokens that have broken SAML stacks: markup, entities, algorithm URIs, IDs, namespaces. */
const TOKENS: readonly string[] = [
  "<!---->",
  "<!--x-->",
  "<?pi data?>",
  '<!DOCTYPE r [<!ENTITY e "x">]>',
  '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
  "&e;",
  "&amp;",
  "&#0;",
  "]]>",
  "<![CDATA[x]]>",
  `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_forged" Version="2.0"><saml:Issuer>https://idp.kommune.test/adfs</saml:Issuer><saml:Subject><saml:NameID>${FORGED}</saml:NameID></saml:Subject></saml:Assertion>`,
  `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo/></ds:Signature>`,
  `<ds:SignatureMethod xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1"/>`,
  `<ds:CanonicalizationMethod xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#WithComments"/>`,
  '<x:w xmlns:x="urn:x">',
  "</x:w>",
  '<samlp:Extensions xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>',
  '<saml:Advice xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"/>',
  "\u0000",
  "\uFEFF",
  "\uD800",
  "<",
  ">",
  '"',
  "'",
  " ".repeat(64),
  "A".repeat(4096),
];

/** Attribute values worth trying anywhere an attribute is. */
const VALUES: readonly string[] = [
  "",
  "_forged",
  "#_forged",
  "https://evil.example/acs",
  "urn:oasis:names:tc:SAML:2.0:status:Success",
  "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
  "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments",
  "http://www.w3.org/2000/09/xmldsig#hmac-sha1",
  "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
  "http://www.w3.org/2000/09/xmldsig#sha1",
  "http://www.w3.org/TR/1999/REC-xpath-19991116",
  "urn:oasis:names:tc:SAML:2.0:assertion",
  "urn:evil",
  "1.1",
  "2099-01-01T00:00:00Z",
  "1970-01-01T00:00:00Z",
  "not a time",
  FORGED,
];

export type Mutation =
  | { kind: "flipByte"; at: number; value: number }
  | { kind: "deleteRange"; at: number; length: number }
  | { kind: "duplicateRange"; at: number; length: number }
  | { kind: "truncate"; at: number }
  | { kind: "insertToken"; at: number; token: number }
  | { kind: "duplicateElement"; element: number; target: number }
  | { kind: "moveElement"; element: number; target: number }
  | { kind: "removeElement"; element: number }
  | { kind: "wrapElement"; element: number }
  | { kind: "setAttribute"; element: number; attribute: number; value: number }
  | { kind: "forgeText"; element: number }
  | { kind: "forgedCopy"; element: number; target: number };

const position = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const index = fc.nat({ max: 10_000 });

export const mutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flipByte" as const), at: position, value: fc.integer({ min: 0, max: 127 }) }),
  fc.record({ kind: fc.constant("deleteRange" as const), at: position, length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant("duplicateRange" as const), at: position, length: fc.integer({ min: 1, max: 512 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: position }),
  fc.record({ kind: fc.constant("insertToken" as const), at: position, token: fc.nat({ max: TOKENS.length - 1 }) }),
  fc.record({ kind: fc.constant("duplicateElement" as const), element: index, target: index }),
  fc.record({ kind: fc.constant("moveElement" as const), element: index, target: index }),
  fc.record({ kind: fc.constant("removeElement" as const), element: index }),
  fc.record({ kind: fc.constant("wrapElement" as const), element: index }),
  fc.record({ kind: fc.constant("setAttribute" as const), element: index, attribute: index, value: fc.nat({ max: VALUES.length - 1 }) }),
  fc.record({ kind: fc.constant("forgeText" as const), element: index }),
  fc.record({ kind: fc.constant("forgedCopy" as const), element: index, target: index }),
);

/** Mutations that act on elements weigh more: they are what wrapping attacks are made of. */
export const mutationsArbitrary = fc.array(mutationArbitrary, { minLength: 1, maxLength: 4 });

export function lenientDom(xml: string, warningsFail = false): Document | undefined {
  let failed = false;
  try {
    const doc = new DOMParser({
      errorHandler: { warning: () => (failed ||= warningsFail), error: () => (failed = true), fatalError: () => (failed = true) },
    }).parseFromString(xml, "text/xml") as unknown as Document;
    return failed || !doc.documentElement ? undefined : doc;
  } catch {
    return undefined;
  }
}

export function elementsOf(doc: Document): Element[] {
  return Array.from(doc.getElementsByTagName("*") as unknown as ArrayLike<Element>);
}

/** Applies one mutation. Element mutations need well-formed input and are skipped otherwise. */
export function applyMutation(xml: string, mutation: Mutation): string {
  const at = (fraction: number) => Math.floor(fraction * (xml.length + 1));
  switch (mutation.kind) {
    case "flipByte": {
      const i = Math.min(at(mutation.at), xml.length - 1);
      return xml.slice(0, i) + String.fromCharCode(mutation.value) + xml.slice(i + 1);
    }
    case "deleteRange": {
      const i = at(mutation.at);
      return xml.slice(0, i) + xml.slice(i + mutation.length);
    }
    case "duplicateRange": {
      const i = at(mutation.at);
      return xml.slice(0, i) + xml.slice(i, i + mutation.length) + xml.slice(i);
    }
    case "truncate":
      return xml.slice(0, at(mutation.at));
    case "insertToken": {
      // Insert at a markup boundary so the token lands between or inside elements, not mid-name.
      const i = at(mutation.at);
      const boundary = xml.indexOf(">", i);
      const where = boundary < 0 ? xml.length : boundary + 1;
      return xml.slice(0, where) + TOKENS[mutation.token]! + xml.slice(where);
    }
    default:
      try {
        return applyElementMutation(xml, mutation);
      } catch {
        // A move the DOM itself refuses (a second root, say): leave the message as it was.
        return xml;
      }
  }
}

function applyElementMutation(xml: string, mutation: Exclude<Mutation, { kind: "flipByte" | "deleteRange" | "duplicateRange" | "truncate" | "insertToken" }>): string {
  const doc = lenientDom(xml);
  if (!doc) return xml;
  const elements = elementsOf(doc);
  const pick = (i: number) => elements[i % elements.length]!;
  const element = pick(mutation.element);
  switch (mutation.kind) {
    case "duplicateElement": {
      const target = pick(mutation.target);
      if (element.contains?.(target) || element === target) return xml;
      target.appendChild(element.cloneNode(true));
      break;
    }
    case "moveElement": {
      const target = pick(mutation.target);
      if (element === doc.documentElement || element === target || isAncestor(element, target)) return xml;
      target.appendChild(element);
      break;
    }
    case "removeElement":
      if (element === doc.documentElement) return xml;
      element.parentNode!.removeChild(element);
      break;
    case "wrapElement": {
      const wrapper = doc.createElementNS("urn:x", "x:w");
      if (element === doc.documentElement) {
        doc.replaceChild(wrapper, element);
      } else {
        element.parentNode!.replaceChild(wrapper, element);
      }
      wrapper.appendChild(element);
      break;
    }
    case "setAttribute": {
      const attributes = element.attributes;
      const value = VALUES[mutation.value]!;
      if (attributes.length === 0) element.setAttribute("ID", value);
      else attributes.item(mutation.attribute % attributes.length)!.value = value;
      break;
    }
    case "forgedCopy": {
      // The signature-wrapping move: an unsigned, forged copy of an element placed somewhere else.
      const target = pick(mutation.target);
      if (isAncestor(element, target) || element === target) return xml;
      const copy = element.cloneNode(true) as Element;
      for (const signature of Array.from(copy.getElementsByTagNameNS("*", "Signature") as unknown as ArrayLike<Element>)) signature.parentNode?.removeChild(signature);
      if (copy.hasAttribute("ID")) copy.setAttribute("ID", `_forged${mutation.target}`);
      for (const text of Array.from(copy.getElementsByTagNameNS("*", "NameID") as unknown as ArrayLike<Element>)) text.textContent = `C=DK,O=29189846,CN=${FORGED},Serial=666`;
      if (target === doc.documentElement) target.appendChild(copy);
      else target.parentNode?.insertBefore(copy, target);
      break;
    }
    case "forgeText": {
      const textBearing = elements.filter((e) => e.childNodes.length === 1 && e.firstChild!.nodeType === 3);
      if (textBearing.length === 0) return xml;
      const target = textBearing[mutation.element % textBearing.length]!;
      target.firstChild!.nodeValue = target.localName === "NameID" ? `C=DK,O=29189846,CN=${FORGED},Serial=666` : FORGED;
      break;
    }
  }
  return serializeXml(doc);
}

function isAncestor(ancestor: Element, node: Node): boolean {
  for (let n: Node | null = node.parentNode; n; n = n.parentNode) if (n === ancestor) return true;
  return false;
}
