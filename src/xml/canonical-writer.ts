/**
 * Writes a builder tree (xml-builder.ts) straight to text, without a DOM, in
 * one of two forms:
 *
 * - `canonical`: Exclusive XML Canonicalization 1.0 (no prefix list) of the
 *   tree as a document subset, byte for byte what a canonicalizer makes of
 *   the parsed element: each namespace declared where it is visibly used and
 *   not yet rendered by an output ancestor, declarations then attributes in
 *   c14n order, empty elements as start and end tag, c14n escaping. What the
 *   broker signs is digested from these bytes directly.
 * - `document`: the same text with the tree's `declare` entries rendered on
 *   their elements (and counted as in scope below them), for sending. Its
 *   exclusive canonical form is the `canonical` text: declarations that no
 *   element uses visibly are dropped by the canonicalizer.
 *
 * Every element and attribute name is prefixed except unqualified
 * attributes; the only prefixed attributes are `xsi:` ones, as in the
 * builder. Text and attribute values are escaped here; a character XML 1.0
 * does not allow is refused, never written.
 */
import type { XmlChild, XmlNode } from "./xml-builder.js";

const XSI = "http://www.w3.org/2001/XMLSchema-instance";

export type WriteForm = "canonical" | "document";

/** Characters XML 1.0 does not allow (C0 controls but tab, LF, CR; lone surrogates; U+FFFE/U+FFFF). */
// eslint-disable-next-line no-control-regex -- the control characters are what this finds
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkChars(value: string, where: string): void {
  if (NOT_XML_CHAR.test(value)) throw new Error(`cannot write ${where}: it holds a character XML does not allow`);
}

const TEXT_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#xD;" };
const ATTRIBUTE_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", '"': "&quot;", "\t": "&#x9;", "\n": "&#xA;", "\r": "&#xD;" };

function escapeText(value: string): string {
  checkChars(value, "text");
  return /[&<>\r]/.test(value) ? value.replace(/[&<>\r]/g, (c) => TEXT_ESCAPES[c]!) : value;
}

function escapeAttribute(value: string): string {
  checkChars(value, "an attribute value");
  return /[&<"\t\n\r]/.test(value) ? value.replace(/[&<"\t\n\r]/g, (c) => ATTRIBUTE_ESCAPES[c]!) : value;
}

function prefixOf(qualifiedName: string): string {
  const colon = qualifiedName.indexOf(":");
  if (colon <= 0) throw new Error(`cannot write ${qualifiedName}: element names must be prefixed`);
  return qualifiedName.slice(0, colon);
}

interface WrittenAttribute {
  ns: string;
  localName: string;
  name: string;
  value: string;
}

/** Unqualified attributes first, then by namespace URI, then by local name (c14n attribute order). */
function byC14nOrder(a: WrittenAttribute, b: WrittenAttribute): number {
  if (a.ns !== b.ns) return a.ns < b.ns ? -1 : 1;
  return a.localName < b.localName ? -1 : a.localName > b.localName ? 1 : 0;
}

function attributesOf(node: XmlNode): WrittenAttribute[] {
  const out: WrittenAttribute[] = [];
  for (const [name, raw] of Object.entries(node.attrs ?? {})) {
    if (raw === undefined) continue;
    const value = String(raw);
    if (name.startsWith("xsi:")) out.push({ ns: XSI, localName: name.slice(4), name, value });
    else if (name.includes(":") || name === "xmlns") throw new Error(`cannot write attribute ${name}: only xsi: attributes may be prefixed`);
    else out.push({ ns: "", localName: name, name, value });
  }
  return out.sort(byC14nOrder);
}

/** The text of `root` in the given form; `rendered` is what an output ancestor has declared (none for an apex). */
export function writeXml(root: XmlNode, form: WriteForm): string {
  const parts: string[] = [];
  writeElement(root, form, new Map(), parts);
  return parts.join("");
}

function writeElement(node: XmlNode, form: WriteForm, rendered: ReadonlyMap<string, string>, parts: string[]): void {
  const attributes = attributesOf(node);
  const wanted = new Map<string, string>();
  if (form === "document") for (const [prefix, uri] of Object.entries(node.declare ?? {})) wanted.set(prefix, uri);
  wanted.set(prefixOf(node.name), node.ns);
  for (const attribute of attributes) if (attribute.ns === XSI) wanted.set("xsi", XSI);
  const declarations = [...wanted].filter(([prefix, uri]) => rendered.get(prefix) !== uri).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  let scope = rendered;
  if (declarations.length > 0) {
    const next = new Map(rendered);
    for (const [prefix, uri] of declarations) next.set(prefix, uri);
    scope = next;
  }
  parts.push("<", node.name);
  for (const [prefix, uri] of declarations) parts.push(" xmlns:", prefix, '="', escapeAttribute(uri), '"');
  for (const attribute of attributes) parts.push(" ", attribute.name, '="', escapeAttribute(attribute.value), '"');
  parts.push(">");
  for (const child of node.children ?? []) writeChild(child, form, scope, parts);
  parts.push("</", node.name, ">");
}

function writeChild(child: XmlChild, form: WriteForm, scope: ReadonlyMap<string, string>, parts: string[]): void {
  if (child === null || child === undefined || child === false) return;
  if (typeof child === "string") parts.push(escapeText(child));
  else writeElement(child, form, scope, parts);
}
