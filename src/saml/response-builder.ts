/** Builds the broker's own Response and Assertion toward a fagsystem. */
import { ATTRNAME_FORMAT_URI, BEARER, NAMEID_FORMAT, NS, STATUS, type SubStatus, type TopStatus } from "./namespaces.js";
import { buildXml, x, type XmlNode } from "../xml/xml-builder.js";
import { parseXml, serializeXml } from "../xml/xml-parser.js";
import { writeXml } from "../xml/canonical-writer.js";
import type { WrittenXml } from "./sign-built.js";

export interface OutgoingAttribute {
  name: string;
  values: string[];
  nameFormat?: string;
}

export interface AssertionInput {
  id: string;
  issueInstant: string;
  issuer: string;
  nameId: string;
  nameIdFormat: string;
  audience: string;
  recipient: string;
  inResponseTo: string;
  notBefore: string;
  notOnOrAfter: string;
  authnInstant: string;
  sessionIndex: string;
  authnContextClassRef: string;
  authenticatingAuthorities: string[];
  attributes: OutgoingAttribute[];
}

export function buildAssertion(input: AssertionInput): string {
  return buildXml(assertionNode(input));
}

/** The assertion as a builder tree: written and signed directly by signBuiltElement (sign-built.ts). */
export function assertionNode(input: AssertionInput): XmlNode {
  return x(
      NS.saml,
      "saml:Assertion",
      { ID: input.id, Version: "2.0", IssueInstant: input.issueInstant },
      [
        x(NS.saml, "saml:Issuer", {}, [input.issuer]),
        x(NS.saml, "saml:Subject", {}, [
          x(NS.saml, "saml:NameID", { Format: input.nameIdFormat, SPNameQualifier: input.nameIdFormat === NAMEID_FORMAT.persistent ? input.audience : undefined }, [input.nameId]),
          x(NS.saml, "saml:SubjectConfirmation", { Method: BEARER }, [
            x(NS.saml, "saml:SubjectConfirmationData", { InResponseTo: input.inResponseTo, NotOnOrAfter: input.notOnOrAfter, Recipient: input.recipient }),
          ]),
        ]),
        x(NS.saml, "saml:Conditions", { NotBefore: input.notBefore, NotOnOrAfter: input.notOnOrAfter }, [
          x(NS.saml, "saml:AudienceRestriction", {}, [x(NS.saml, "saml:Audience", {}, [input.audience])]),
        ]),
        x(NS.saml, "saml:AuthnStatement", { AuthnInstant: input.authnInstant, SessionIndex: input.sessionIndex }, [
          x(NS.saml, "saml:AuthnContext", {}, [
            x(NS.saml, "saml:AuthnContextClassRef", {}, [input.authnContextClassRef]),
            ...input.authenticatingAuthorities.map((authority) => x(NS.saml, "saml:AuthenticatingAuthority", {}, [authority])),
          ]),
        ]),
        input.attributes.length > 0 &&
          x(
            NS.saml,
            "saml:AttributeStatement",
            {},
            input.attributes.map((attribute) =>
              x(
                NS.saml,
                "saml:Attribute",
                { Name: attribute.name, NameFormat: attribute.nameFormat ?? ATTRNAME_FORMAT_URI },
                attribute.values.map((value) => x(NS.saml, "saml:AttributeValue", { "xsi:type": "xs:string" }, [value])),
              ),
            ),
          ),
      ],
      { xs: NS.xs, xsi: NS.xsi },
    );
}

export interface ResponseInput {
  id: string;
  issueInstant: string;
  issuer: string;
  destination: string;
  inResponseTo: string;
  status: TopStatus | typeof STATUS.success;
  subStatus?: SubStatus | undefined;
  statusMessage?: string | undefined;
  /** Signed (and possibly encrypted) assertion XML to embed after Status; parsed first, as it may come from anywhere. */
  assertionXml?: string | undefined;
  /** The same, written by the broker's own writers: well-formed by construction, embedded as it is. */
  writtenAssertion?: WrittenXml | undefined;
}

export function buildResponse(input: ResponseInput): string {
  const xml = writeXml(
    x(
      NS.samlp,
      "samlp:Response",
      { ID: input.id, Version: "2.0", IssueInstant: input.issueInstant, Destination: input.destination, InResponseTo: input.inResponseTo },
      [
        x(NS.saml, "saml:Issuer", {}, [input.issuer]),
        x(NS.samlp, "samlp:Status", {}, [
          x(NS.samlp, "samlp:StatusCode", { Value: input.status }, [input.subStatus && x(NS.samlp, "samlp:StatusCode", { Value: input.subStatus })]),
          input.statusMessage !== undefined && x(NS.samlp, "samlp:StatusMessage", {}, [input.statusMessage]),
        ]),
      ],
      { saml: NS.saml },
    ),
    "document",
  );
  if (input.assertionXml !== undefined && input.writtenAssertion !== undefined) throw new Error("a Response carries one assertion");
  // Text from elsewhere is parsed (one well-formed element) and goes in as the serializer writes it.
  // Joining the two outputs gives the same document as importing the parsed node, without copying its tree.
  const assertion = input.writtenAssertion ?? (input.assertionXml === undefined ? undefined : serializeXml(parseXml(input.assertionXml).documentElement));
  if (assertion === undefined) return xml;
  const end = "</samlp:Response>";
  if (!xml.endsWith(end)) throw new Error("the Response did not serialize as expected");
  return `${xml.slice(0, -end.length)}${assertion}${end}`;
}
