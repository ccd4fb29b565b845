/**
 * The one XML parser of the project. Every SAML message, metadata document and
 * decrypted assertion goes through `parseXml`, which is strict (every xmldom
 * warning or error is fatal), refuses DOCTYPE (no entities, no XXE, no billion
 * laughs), refuses more than one root and content after it, refuses unbound
 * prefixes, and enforces size, depth and element-count limits.
 */
import { DOMParser, XMLSerializer } from "@xmldom/xmldom";
import { XmlError } from "./xml-error.js";

export interface XmlLimits {
  maxBytes: number;
  maxDepth: number;
  maxElements: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = { maxBytes: 512 * 1024, maxDepth: 32, maxElements: 4000 };

export interface ParseOptions {
  /**
   * Accept comments before or after the root element. Off for SAML messages; on for metadata, which
   * products publish with a leading comment (Shibboleth SP's generated metadata starts with one).
   */
  allowCommentsOutsideRoot?: boolean;
}

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;
const CDATA_SECTION_NODE = 4;
const PROCESSING_INSTRUCTION_NODE = 7;
const COMMENT_NODE = 8;
const DOCUMENT_TYPE_NODE = 10;

export function parseXml(xml: string, limits: XmlLimits = DEFAULT_XML_LIMITS, options: ParseOptions = {}): Document {
  if (Buffer.byteLength(xml, "utf8") > limits.maxBytes) {
    throw new XmlError("xml_too_large", `XML is larger than ${limits.maxBytes} bytes`);
  }
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml)) {
    throw new XmlError("xml_doctype", "XML with a DOCTYPE or entity declaration is not accepted");
  }
  precheckShape(xml, limits);
  const fail = (level: string) => (message: string) => {
    throw new XmlError("xml_malformed", `XML is not well-formed (${level}): ${String(message).split("\n")[0]?.slice(0, 200)}`);
  };
  let doc: Document;
  try {
    doc = new DOMParser({
      errorHandler: { warning: fail("warning"), error: fail("error"), fatalError: fail("fatal") },
    }).parseFromString(xml, "text/xml") as unknown as Document;
  } catch (error) {
    if (error instanceof XmlError) throw error;
    throw new XmlError("xml_malformed", `XML is not well-formed: ${(error as Error).message.split("\n")[0]?.slice(0, 200)}`);
  }
  checkDocumentShape(doc, options);
  checkTree(doc.documentElement, limits);
  return doc;
}

/**
 * Depth and element count, enforced before the DOM is built: one linear scan
 * over the tags (comments, CDATA, processing instructions and quoted
 * attribute values skipped). It only counts; whether the document is
 * well-formed is the parser's decision, and checkTree counts again on the
 * DOM. For a well-formed document both counts agree.
 */
function precheckShape(xml: string, limits: XmlLimits): void {
  let depth = 0;
  let elements = 0;
  let i = 0;
  const skipTo = (from: number, end: string): number => {
    const at = xml.indexOf(end, from);
    return at < 0 ? xml.length : at + end.length;
  };
  while (i < xml.length) {
    const lt = xml.indexOf("<", i);
    if (lt < 0) return;
    const next = xml[lt + 1];
    if (next === "!") {
      i = xml.startsWith("<!--", lt) ? skipTo(lt + 4, "-->") : xml.startsWith("<![CDATA[", lt) ? skipTo(lt + 9, "]]>") : lt + 2;
      continue;
    }
    if (next === "?") {
      i = skipTo(lt + 2, "?>");
      continue;
    }
    if (next === "/") {
      depth -= 1;
      i = lt + 2;
      continue;
    }
    let j = lt + 1;
    let quote = "";
    for (; j < xml.length; j += 1) {
      const c = xml[j];
      if (quote !== "") {
        if (c === quote) quote = "";
      } else if (c === '"' || c === "'") quote = c;
      else if (c === ">") break;
    }
    if (j >= xml.length) return;
    elements += 1;
    if (elements > limits.maxElements) throw new XmlError("xml_too_many_elements", `XML has more than ${limits.maxElements} elements`);
    if (xml[j - 1] !== "/") {
      depth += 1;
      if (depth > limits.maxDepth) throw new XmlError("xml_too_deep", `XML is nested deeper than ${limits.maxDepth}`);
    }
    i = j + 1;
  }
}

function checkDocumentShape(doc: Document, options: ParseOptions): void {
  let roots = 0;
  for (let node = doc.firstChild; node; node = node.nextSibling) {
    switch (node.nodeType) {
      case ELEMENT_NODE:
        roots += 1;
        break;
      case PROCESSING_INSTRUCTION_NODE:
        if ((node as ProcessingInstruction).target !== "xml" || node !== doc.firstChild) {
          throw new XmlError("xml_malformed", "processing instruction outside the root element");
        }
        break;
      case TEXT_NODE:
        if ((node.nodeValue ?? "").trim() !== "") throw new XmlError("xml_malformed", "text outside the root element");
        break;
      case DOCUMENT_TYPE_NODE:
        throw new XmlError("xml_doctype", "XML with a DOCTYPE is not accepted");
      case COMMENT_NODE:
        if (options.allowCommentsOutsideRoot) break;
        throw new XmlError("xml_malformed", "comment outside the root element");
      default:
        throw new XmlError("xml_malformed", `unexpected node type ${node.nodeType} outside the root element`);
    }
  }
  if (roots !== 1 || !doc.documentElement) throw new XmlError("xml_malformed", "XML must have exactly one root element");
}

function checkTree(root: Element, limits: XmlLimits): void {
  let elements = 0;
  const stack: Array<{ node: Element; depth: number }> = [{ node: root, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    elements += 1;
    if (elements > limits.maxElements) throw new XmlError("xml_too_many_elements", `XML has more than ${limits.maxElements} elements`);
    if (depth > limits.maxDepth) throw new XmlError("xml_too_deep", `XML is nested deeper than ${limits.maxDepth}`);
    if (node.prefix && !node.namespaceURI) throw new XmlError("xml_malformed", `unbound namespace prefix ${node.prefix}`);
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === ELEMENT_NODE) stack.push({ node: child as Element, depth: depth + 1 });
      else if (child.nodeType === PROCESSING_INSTRUCTION_NODE) {
        throw new XmlError("xml_malformed", "processing instructions are not accepted in SAML messages");
      }
    }
  }
}

export function serializeXml(node: Node): string {
  return new XMLSerializer().serializeToString(node as never);
}

/** Direct element children of `parent` with the given namespace and local name. */
export function childElements(parent: Element, ns: string, localName: string): Element[] {
  const out: Element[] = [];
  for (let child = parent.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === ELEMENT_NODE) {
      const el = child as Element;
      if (el.namespaceURI === ns && el.localName === localName) out.push(el);
    }
  }
  return out;
}

export function allChildElements(parent: Element): Element[] {
  const out: Element[] = [];
  for (let child = parent.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === ELEMENT_NODE) out.push(child as Element);
  }
  return out;
}

/** Exactly one direct child, or null when absent. More than one is an error: ambiguity fails closed. */
export function optionalChild(parent: Element, ns: string, localName: string): Element | null {
  const found = childElements(parent, ns, localName);
  if (found.length > 1) throw new XmlError("xml_ambiguous", `more than one ${localName} in ${parent.localName}`);
  return found[0] ?? null;
}

export function requiredChild(parent: Element, ns: string, localName: string): Element {
  const found = optionalChild(parent, ns, localName);
  if (!found) throw new XmlError("xml_missing", `${parent.localName} has no ${localName}`);
  return found;
}

/** All descendants (any depth) with the given namespace and local name. */
export function descendants(root: Element | Document, ns: string, localName: string): Element[] {
  return Array.from(root.getElementsByTagNameNS(ns, localName) as unknown as ArrayLike<Element>);
}

/**
 * The text of an element that must hold only text. Comments, processing
 * instructions or child elements inside a value are rejected, so a reader can
 * never see a truncated value (`victim@kommune.dk<!---->.evil.dk`).
 */
export function textOf(element: Element): string {
  let text = "";
  for (let child = element.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === TEXT_NODE || child.nodeType === CDATA_SECTION_NODE) text += child.nodeValue ?? "";
    else throw new XmlError("xml_mixed_content", `${element.localName} must contain only text`);
  }
  return text;
}

export function attr(element: Element, name: string): string | null {
  return element.hasAttribute(name) ? element.getAttribute(name) : null;
}

export function requiredAttr(element: Element, name: string): string {
  const value = attr(element, name);
  if (value === null || value === "") throw new XmlError("xml_missing", `${element.localName} has no ${name}`);
  return value;
}
