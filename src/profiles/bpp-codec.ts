/**
 * OIO-BPP codec: the base64 privileges attribute ⇄ XML ⇄ the typed model in
 * bpp.ts. Reads both namespaces (itst.dk and digst.dk) with qualified or
 * unqualified children, through the project's one strict XML parser; writes
 * with the DOM-based XML builder (never by string concatenation), one
 * Privilege per group as written by the caller and one Constraint element per
 * value. Pure functions, no I/O.
 *
 * Failures of the whole document (not base64, not XML, wrong root, limits)
 * throw BppError. A single malformed group (bad Scope, no Privilege, an
 * unknown child) is returned in `rejected` so the caller can drop it and say
 * why, without dropping the person's other privileges.
 */
import { buildXml, x, type XmlNode } from "../xml/xml-builder.js";
import { XmlError } from "../xml/xml-error.js";
import { allChildElements, attr, parseXml, textOf } from "../xml/xml-parser.js";
import {
  formatScope,
  hasControlCharacter,
  isBppNamespace,
  mergeConstraints,
  parseScope,
  splitConstraintValues,
  type BppNamespace,
  type PrivilegeConstraint,
  type PrivilegeGroup,
  type PrivilegeList,
} from "./bpp.js";

export interface BppLimits {
  /** Length of the base64 attribute value. */
  maxEncodedChars: number;
  maxGroups: number;
  maxPrivilegesPerGroup: number;
  maxConstraintsPerGroup: number;
  maxValuesPerConstraint: number;
  /** Length of one privilege URI, constraint name or constraint value. */
  maxValueChars: number;
}

export const DEFAULT_BPP_LIMITS: BppLimits = {
  maxEncodedChars: 256 * 1024,
  maxGroups: 500,
  maxPrivilegesPerGroup: 50,
  maxConstraintsPerGroup: 50,
  maxValuesPerConstraint: 500,
  maxValueChars: 2048,
};

export type BppErrorReason =
  | "bpp_not_base64"
  | "bpp_not_utf8"
  | "bpp_not_xml"
  | "bpp_wrong_root"
  | "bpp_malformed"
  | "bpp_too_large"
  | "bpp_unserializable";

export class BppError extends Error {
  constructor(
    readonly reason: BppErrorReason,
    message: string,
  ) {
    super(message);
    this.name = "BppError";
  }
}

export interface RejectedGroup {
  /** 1-based position of the group in the document. */
  position: number;
  reason: string;
  /** The privilege URIs the group named, when they could be read (for the explanation). */
  privileges: string[];
}

export interface DecodedPrivileges {
  list: PrivilegeList;
  rejected: RejectedGroup[];
}

const LOCAL = { list: "PrivilegeList", group: "PrivilegeGroup", privilege: "Privilege", constraint: "Constraint" } as const;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function checkedValue(value: string, what: string, limits: BppLimits): string {
  if (value === "") throw new GroupProblem(`${what} is empty`);
  if (value.length > limits.maxValueChars) throw new GroupProblem(`${what} is longer than ${limits.maxValueChars} characters`);
  if (hasControlCharacter(value)) throw new GroupProblem(`${what} contains control characters`);
  return value;
}

class GroupProblem extends Error {}

/** Decodes the base64 attribute value (OIOSAML 3 privilegesIntermediate or the OIOSAML 2 name). */
export function decodePrivilegesAttribute(encoded: string, limits: BppLimits = DEFAULT_BPP_LIMITS): DecodedPrivileges {
  if (encoded.length > limits.maxEncodedChars) throw new BppError("bpp_too_large", `privileges attribute is longer than ${limits.maxEncodedChars} characters`);
  const compact = encoded.replace(/\s+/g, "");
  if (compact === "" || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) {
    throw new BppError("bpp_not_base64", "privileges attribute is not base64");
  }
  let xml: string;
  try {
    xml = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(compact, "base64"));
  } catch {
    throw new BppError("bpp_not_utf8", "privileges attribute does not decode to UTF-8 text");
  }
  return parsePrivilegeXml(xml.replace(/^\ufeff/, ""), limits);
}

export function parsePrivilegeXml(xml: string, limits: BppLimits = DEFAULT_BPP_LIMITS): DecodedPrivileges {
  let root: Element;
  try {
    const maxElements = 1 + limits.maxGroups * (1 + limits.maxPrivilegesPerGroup + limits.maxConstraintsPerGroup * 4);
    root = parseXml(xml, { maxBytes: limits.maxEncodedChars, maxDepth: 4, maxElements: Math.min(maxElements, 50_000) }).documentElement;
  } catch (error) {
    if (error instanceof XmlError) {
      const tooBig = error.reason === "xml_too_large" || error.reason === "xml_too_many_elements";
      throw new BppError(tooBig ? "bpp_too_large" : error.reason === "xml_too_deep" ? "bpp_malformed" : "bpp_not_xml", `privileges are not usable XML: ${error.message}`);
    }
    throw error;
  }
  const namespace = root.namespaceURI;
  if (root.localName !== LOCAL.list || !isBppNamespace(namespace)) {
    throw new BppError("bpp_wrong_root", `privileges root is {${namespace ?? ""}}${root.localName}, not an OIO-BPP PrivilegeList`);
  }
  assertOnlyWhitespaceText(root, LOCAL.list);
  const groups: PrivilegeGroup[] = [];
  const rejected: RejectedGroup[] = [];
  const elements = allChildElements(root);
  if (elements.length > limits.maxGroups) throw new BppError("bpp_too_large", `more than ${limits.maxGroups} privilege groups`);
  elements.forEach((element, index) => {
    if (!isBppChild(element, namespace, LOCAL.group)) {
      throw new BppError("bpp_malformed", `unexpected element ${element.localName} in PrivilegeList`);
    }
    const position = index + 1;
    try {
      groups.push(readGroup(element, namespace, limits));
    } catch (error) {
      if (!(error instanceof GroupProblem || error instanceof XmlError)) throw error;
      rejected.push({ position, reason: error.message, privileges: readablePrivileges(element, namespace) });
    }
  });
  return { list: { namespace, groups }, rejected };
}

function isBppChild(element: Element, namespace: BppNamespace, localName: string): boolean {
  const ns = element.namespaceURI;
  return element.localName === localName && (!ns || ns === namespace);
}

function assertOnlyWhitespaceText(element: Element, where: string): void {
  for (let child = element.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === 1 || child.nodeType === 8) continue;
    if ((child.nodeType === 3 || child.nodeType === 4) && (child.nodeValue ?? "").trim() === "") continue;
    throw new BppError("bpp_malformed", `unexpected text in ${where}`);
  }
}

function readGroup(element: Element, namespace: BppNamespace, limits: BppLimits): PrivilegeGroup {
  const scopeText = attr(element, "Scope");
  if (scopeText === null || scopeText.trim() === "") throw new GroupProblem("PrivilegeGroup has no Scope");
  const scope = parseScope(scopeText.trim());
  if (!scope) throw new GroupProblem(`Scope ${scopeText.slice(0, 120)} is not a CVR, P-number, SE-number or CPR scope`);
  const privileges: string[] = [];
  const constraints: PrivilegeConstraint[] = [];
  for (let child = element.firstChild; child; child = child.nextSibling) {
    if (child.nodeType === 8) continue;
    if (child.nodeType === 3 || child.nodeType === 4) {
      if ((child.nodeValue ?? "").trim() !== "") throw new GroupProblem("unexpected text in PrivilegeGroup");
      continue;
    }
    if (child.nodeType !== 1) throw new GroupProblem("unexpected content in PrivilegeGroup");
    const el = child as Element;
    if (isBppChild(el, namespace, LOCAL.privilege)) {
      if (privileges.length >= limits.maxPrivilegesPerGroup) throw new GroupProblem(`more than ${limits.maxPrivilegesPerGroup} privileges in one group`);
      const value = checkedValue(textOf(el).trim(), "Privilege", limits);
      if (/\s/.test(value)) throw new GroupProblem("Privilege contains white space");
      if (!privileges.includes(value)) privileges.push(value);
    } else if (isBppChild(el, namespace, LOCAL.constraint)) {
      if (constraints.length >= limits.maxConstraintsPerGroup) throw new GroupProblem(`more than ${limits.maxConstraintsPerGroup} constraints in one group`);
      const name = checkedValue((attr(el, "Name") ?? "").trim(), "Constraint Name", limits);
      const values = splitConstraintValues(textOf(el)).map((v) => checkedValue(v, `Constraint ${name} value`, limits));
      if (values.length === 0) throw new GroupProblem(`Constraint ${name} has no value`);
      if (values.length > limits.maxValuesPerConstraint) throw new GroupProblem(`Constraint ${name} has more than ${limits.maxValuesPerConstraint} values`);
      constraints.push({ name, values });
    } else {
      throw new GroupProblem(`unexpected element ${el.localName} in PrivilegeGroup`);
    }
  }
  if (privileges.length === 0) throw new GroupProblem("PrivilegeGroup has no Privilege");
  const merged = mergeConstraints(constraints);
  for (const constraint of merged) {
    if (constraint.values.length > limits.maxValuesPerConstraint) throw new GroupProblem(`Constraint ${constraint.name} has more than ${limits.maxValuesPerConstraint} values`);
  }
  return { scope, privileges, constraints: merged };
}

/** Best effort: the privilege URIs of a rejected group, for the explanation only. */
function readablePrivileges(element: Element, namespace: BppNamespace): string[] {
  const out: string[] = [];
  for (const child of allChildElements(element)) {
    if (!isBppChild(child, namespace, LOCAL.privilege)) continue;
    const text = (child.textContent ?? "").trim();
    if (text !== "" && out.length < 10) out.push(text.slice(0, 256));
  }
  return out;
}

function serializableValue(value: string, what: string, limits: BppLimits): string {
  const problem =
    value === ""
      ? "is empty"
      : value !== value.trim()
        ? "has surrounding white space"
        : value.length > limits.maxValueChars
          ? `is longer than ${limits.maxValueChars} characters`
          : hasControlCharacter(value) || LONE_SURROGATE.test(value) || /[\ufffe\uffff]/.test(value)
            ? "contains characters XML cannot carry"
            : undefined;
  if (problem) throw new BppError("bpp_unserializable", `${what} ${problem}`);
  return value;
}

/** The PrivilegeList XML: root `bpp:PrivilegeList` in the chosen namespace, unqualified children, one Constraint element per value. */
export function serializePrivileges(list: PrivilegeList, limits: BppLimits = DEFAULT_BPP_LIMITS): string {
  if (list.groups.length > limits.maxGroups) throw new BppError("bpp_unserializable", `more than ${limits.maxGroups} privilege groups`);
  const groups: XmlNode[] = list.groups.map((group) => {
    if (group.privileges.length === 0) throw new BppError("bpp_unserializable", "a PrivilegeGroup needs at least one Privilege");
    const children: XmlNode[] = group.privileges.map((p) => {
      const privilege = serializableValue(p, "Privilege", limits);
      if (/\s/.test(privilege)) throw new BppError("bpp_unserializable", "Privilege contains white space");
      return x("", LOCAL.privilege, {}, [privilege]);
    });
    for (const constraint of group.constraints) {
      const name = serializableValue(constraint.name, "Constraint Name", limits);
      if (constraint.values.length === 0) throw new BppError("bpp_unserializable", `Constraint ${name} has no value`);
      for (const value of constraint.values) {
        const checked = serializableValue(value, `Constraint ${name} value`, limits);
        if (checked.includes(",")) throw new BppError("bpp_unserializable", `Constraint ${name} value contains a comma`);
        children.push(x("", LOCAL.constraint, { Name: name }, [checked]));
      }
    }
    return x("", LOCAL.group, { Scope: formatScope(group.scope) }, children);
  });
  return buildXml(x(list.namespace, `bpp:${LOCAL.list}`, {}, groups));
}

/** Base64 of the serialized PrivilegeList, as the privileges attribute carries it. */
export function encodePrivilegesAttribute(list: PrivilegeList, limits: BppLimits = DEFAULT_BPP_LIMITS): string {
  return Buffer.from(serializePrivileges(list, limits), "utf8").toString("base64");
}

export function emptyPrivilegeList(namespace: BppNamespace): PrivilegeList {
  return { namespace, groups: [] };
}
