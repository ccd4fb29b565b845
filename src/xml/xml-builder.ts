/**
 * Builds XML through the DOM, never by string concatenation, so every text and
 * attribute value is escaped by the serializer.
 */
import { DOMImplementation } from "@xmldom/xmldom";
import { serializeXml } from "./xml-parser.js";

export type XmlChild = XmlNode | string | null | undefined | false;

export interface XmlNode {
  ns: string;
  name: string;
  attrs?: Record<string, string | number | boolean | undefined>;
  /** Extra xmlns:prefix declarations to put on this element. */
  declare?: Record<string, string>;
  children?: XmlChild[];
}

export function x(ns: string, name: string, attrs?: XmlNode["attrs"], children?: XmlChild[], declare?: Record<string, string>): XmlNode {
  const node: XmlNode = { ns, name };
  if (attrs) node.attrs = attrs;
  if (children) node.children = children;
  if (declare) node.declare = declare;
  return node;
}

export function buildXml(root: XmlNode): string {
  const doc = new DOMImplementation().createDocument(root.ns, root.name, null) as unknown as Document;
  fill(doc, doc.documentElement, root);
  return serializeXml(doc);
}

const XSI = "http://www.w3.org/2001/XMLSchema-instance";

function fill(doc: Document, element: Element, node: XmlNode): void {
  for (const [prefix, uri] of Object.entries(node.declare ?? {})) {
    element.setAttributeNS("http://www.w3.org/2000/xmlns/", `xmlns:${prefix}`, uri);
  }
  for (const [name, value] of Object.entries(node.attrs ?? {})) {
    if (value === undefined) continue;
    if (name.startsWith("xsi:")) element.setAttributeNS(XSI, name, String(value));
    else element.setAttribute(name, String(value));
  }
  for (const child of node.children ?? []) {
    if (child === null || child === undefined || child === false) continue;
    if (typeof child === "string") {
      element.appendChild(doc.createTextNode(child));
    } else {
      const childElement = doc.createElementNS(child.ns, child.name);
      element.appendChild(childElement);
      fill(doc, childElement, child);
    }
  }
}
