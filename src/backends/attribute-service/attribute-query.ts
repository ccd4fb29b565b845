/**
 * SAML 2.0 AttributeQuery over the SOAP 1.1 binding: the broker's signed
 * query (Subject = the user's NameID) and the checks on the answer. The
 * answer is believed like any assertion: signed with a key from the
 * service's metadata only, read only from what the signature covers, Issuer
 * the service, Subject the user asked about, InResponseTo and Audience where
 * present, within its time. Built with the XML builder, read with the one
 * parser.
 */
import { ATTRNAME_FORMAT_URI, NS, STATUS } from "../../saml/namespaces.js";
import { SamlError } from "../../saml/saml-error.js";
import { buildXml, x, type XmlNode } from "../../xml/xml-builder.js";
import { signEnveloped, type SignOptions } from "../../saml/sign.js";
import { findEnvelopedSignature, verifyEnvelopedSignature } from "../../saml/verify-signature.js";
import { decryptAssertion } from "../../saml/decrypt-assertion.js";
import { parseInstant } from "../../saml/saml-time.js";
import { checkIssuer, readAttributes, refuseNestedAssertions } from "../../saml/response-validator.js";
import { allChildElements, attr, childElements, descendants, optionalChild, parseXml, requiredAttr, requiredChild, serializeXml, textOf, type XmlLimits } from "../../xml/xml-parser.js";
import type { RawAttribute } from "../../model/upstream-result.js";

export const SOAP11_ENVELOPE = "http://schemas.xmlsoap.org/soap/envelope/";
/** SAML 2.0 SOAP binding: the SOAPAction a requester sends. */
export const SAML_SOAP_ACTION = "http://www.oasis-open.org/committees/security";
/** Status a service answers for a subject it does not know. */
export const STATUS_UNKNOWN_PRINCIPAL = "urn:oasis:names:tc:SAML:2.0:status:UnknownPrincipal";

export interface AttributeQueryInput {
  id: string;
  issueInstant: string;
  issuer: string;
  destination: string;
  nameId: string;
  nameIdFormat: string;
  /** Attributes asked for; with values, the values the requester offers (forwarded IdP claims). */
  attributes: Array<{ name: string; values: string[] }>;
}

/** The signed AttributeQuery, wrapped in a SOAP 1.1 Envelope. */
export function buildSignedAttributeQuery(input: AttributeQueryInput, sign: SignOptions): string {
  const query = buildXml(
    x(
      NS.samlp,
      "samlp:AttributeQuery",
      { ID: input.id, Version: "2.0", IssueInstant: input.issueInstant, Destination: input.destination },
      [
        x(NS.saml, "saml:Issuer", {}, [input.issuer]),
        x(NS.saml, "saml:Subject", {}, [x(NS.saml, "saml:NameID", { Format: input.nameIdFormat }, [input.nameId])]),
        ...input.attributes.map(
          (attribute): XmlNode =>
            x(
              NS.saml,
              "saml:Attribute",
              { Name: attribute.name, NameFormat: ATTRNAME_FORMAT_URI },
              attribute.values.map((value) => x(NS.saml, "saml:AttributeValue", { "xsi:type": "xs:string" }, [value])),
            ),
        ),
      ],
      { saml: NS.saml, xs: NS.xs, xsi: NS.xsi },
    ),
  );
  return soapEnvelope(signEnveloped(query, input.id, true, sign));
}

/** Wraps one (already serialized, possibly signed) element in a SOAP 1.1 Envelope/Body without touching its bytes' meaning. */
export function soapEnvelope(innerXml: string): string {
  const doc = parseXml(buildXml(x(SOAP11_ENVELOPE, "soap:Envelope", {}, [x(SOAP11_ENVELOPE, "soap:Body", {}, [])])));
  const body = requiredChild(doc.documentElement, SOAP11_ENVELOPE, "Body");
  body.appendChild(doc.importNode(parseXml(innerXml).documentElement, true));
  return serializeXml(doc);
}

/** The one element inside a SOAP 1.1 Body. A Fault is refused with its faultstring. */
export function soapBodyElement(xml: string, limits: XmlLimits): Element {
  const root = parseXml(xml, limits).documentElement;
  if (root.namespaceURI !== SOAP11_ENVELOPE || root.localName !== "Envelope") throw new SamlError("soap_malformed", "answer is not a SOAP 1.1 Envelope");
  const bodies = childElements(root, SOAP11_ENVELOPE, "Body");
  if (bodies.length !== 1) throw new SamlError("soap_malformed", "SOAP Envelope must hold exactly one Body");
  const inside = allChildElements(bodies[0]!);
  if (inside.length !== 1) throw new SamlError("soap_malformed", `SOAP Body must hold exactly one element (found ${inside.length})`);
  const element = inside[0]!;
  if (element.namespaceURI === SOAP11_ENVELOPE && element.localName === "Fault") {
    const faultString = allChildElements(element).find((child) => child.localName === "faultstring");
    throw new SamlError("soap_fault", `SOAP Fault${faultString ? `: ${(faultString.textContent ?? "").slice(0, 200)}` : ""}`);
  }
  return element;
}

export interface AttributeAnswerExpectations {
  serviceEntityId: string;
  trustedCertificates: readonly string[];
  allowSha1: boolean;
  queryId: string;
  nameId: string;
  /** The broker's entityID: an AudienceRestriction, where present, must name it. */
  audience: string;
  now: number;
  clockSkewMs: number;
  decryptionKeys: readonly string[];
  limits: XmlLimits;
  maxAttributes: number;
  maxAttributeValues: number;
}

export type AttributeAnswer = { kind: "attributes"; assertionId: string; attributes: RawAttribute[] } | { kind: "unknown-principal" };

/** Validates the samlp:Response inside the SOAP Body and returns the attributes of its one assertion. */
export async function readAttributeAnswer(response: Element, expect: AttributeAnswerExpectations): Promise<AttributeAnswer> {
  if (response.namespaceURI !== NS.samlp || response.localName !== "Response") throw new SamlError("not_response", `expected samlp:Response, got ${response.localName}`);
  if (attr(response, "Version") !== "2.0") throw new SamlError("version_mismatch", "Response Version must be 2.0");
  if (attr(response, "InResponseTo") !== expect.queryId) throw new SamlError("in_response_to_mismatch", "Response does not answer this AttributeQuery");
  checkIssuer(optionalChild(response, NS.saml, "Issuer"), expect.serviceEntityId, false);
  if (expect.trustedCertificates.length === 0) throw new SamlError("no_trusted_key", "no trusted signing certificate for this attribute service");
  const verifyOptions = { trustedCertificates: expect.trustedCertificates, allowSha1: expect.allowSha1, limits: expect.limits };
  let checked = response;
  if (findEnvelopedSignature(checked) !== null) checked = verifyEnvelopedSignature(checked, verifyOptions);

  const status = requiredChild(checked, NS.samlp, "Status");
  const code = requiredAttr(requiredChild(status, NS.samlp, "StatusCode"), "Value");
  if (code !== STATUS.success) {
    const inner = optionalChild(requiredChild(status, NS.samlp, "StatusCode"), NS.samlp, "StatusCode");
    const innerValue = inner ? attr(inner, "Value") : null;
    if (innerValue === STATUS_UNKNOWN_PRINCIPAL) return { kind: "unknown-principal" };
    throw new SamlError("upstream_status", `attribute service answered ${code}${innerValue ? ` / ${innerValue}` : ""}`, STATUS.responder);
  }

  const direct = [...childElements(checked, NS.saml, "Assertion"), ...childElements(checked, NS.saml, "EncryptedAssertion")];
  const everywhere = descendants(checked, NS.saml, "Assertion").length + descendants(checked, NS.saml, "EncryptedAssertion").length;
  if (direct.length !== 1 || everywhere !== 1) throw new SamlError("assertion_count", `Response must carry exactly one assertion (found ${direct.length} direct, ${everywhere} in all)`);
  let assertion = direct[0]!;
  if (assertion.localName === "EncryptedAssertion") assertion = await decryptAssertion(assertion, expect.decryptionKeys, expect.limits);
  // The assertion itself must be signed by the service, whatever the Response carries.
  if (findEnvelopedSignature(assertion) === null) throw new SamlError("assertion_not_signed", "the attribute assertion is not signed");
  assertion = verifyEnvelopedSignature(assertion, verifyOptions);
  refuseNestedAssertions(assertion);
  return { kind: "attributes", assertionId: requiredAttr(assertion, "ID"), attributes: readAssertion(assertion, expect) };
}

function readAssertion(assertion: Element, expect: AttributeAnswerExpectations): RawAttribute[] {
  if (attr(assertion, "Version") !== "2.0") throw new SamlError("version_mismatch", "Assertion Version must be 2.0");
  checkIssuer(requiredChild(assertion, NS.saml, "Issuer"), expect.serviceEntityId, true);
  const { now, clockSkewMs: skew } = expect;

  const subject = requiredChild(assertion, NS.saml, "Subject");
  const nameId = textOf(requiredChild(subject, NS.saml, "NameID")).trim();
  if (nameId !== expect.nameId) throw new SamlError("subject_mismatch", "the attribute assertion is about another subject than the one asked about");
  for (const confirmation of childElements(subject, NS.saml, "SubjectConfirmation")) {
    const data = optionalChild(confirmation, NS.saml, "SubjectConfirmationData");
    if (!data) continue;
    const inResponseTo = attr(data, "InResponseTo");
    if (inResponseTo !== null && inResponseTo !== expect.queryId) throw new SamlError("in_response_to_mismatch", "SubjectConfirmationData answers another query");
    const notOnOrAfter = attr(data, "NotOnOrAfter");
    if (notOnOrAfter !== null && now >= parseInstant(notOnOrAfter, "SubjectConfirmationData NotOnOrAfter") + skew) {
      throw new SamlError("assertion_expired", "SubjectConfirmationData has expired");
    }
  }

  const conditions = optionalChild(assertion, NS.saml, "Conditions");
  if (conditions) {
    const notBefore = attr(conditions, "NotBefore");
    if (notBefore !== null && parseInstant(notBefore, "Conditions NotBefore") > now + skew) throw new SamlError("assertion_not_yet_valid", "assertion is not yet valid");
    const notOnOrAfter = attr(conditions, "NotOnOrAfter");
    if (notOnOrAfter !== null && now >= parseInstant(notOnOrAfter, "Conditions NotOnOrAfter") + skew) throw new SamlError("assertion_expired", "assertion has expired");
    for (const restriction of childElements(conditions, NS.saml, "AudienceRestriction")) {
      const audiences = childElements(restriction, NS.saml, "Audience").map((a) => textOf(a).trim());
      if (!audiences.includes(expect.audience)) throw new SamlError("audience_mismatch", "attribute assertion is not addressed to this broker (Audience)");
    }
  }
  const issueInstant = parseInstant(requiredAttr(assertion, "IssueInstant"), "Assertion IssueInstant");
  if (issueInstant > now + skew) throw new SamlError("assertion_not_yet_valid", "assertion is issued in the future");

  const statements = childElements(assertion, NS.saml, "AttributeStatement");
  if (statements.length > 1) throw new SamlError("attribute_statement_invalid", "assertion holds more than one AttributeStatement");
  if (!statements[0]) return [];
  return readAttributes(statements[0], expect);
}
