/**
 * Validates a SAML Response from an upstream IdP. This is the one place that
 * decides whether an assertion is believed. Order matters: verify, then read
 * only from what the signature covers. Every failure is a SamlError with a
 * stable reason code.
 */
import { NAMEID_FORMAT, NS, STATUS, BEARER, type SubStatus } from "./namespaces.js";
import { XmlError } from "../xml/xml-error.js";
import { asSamlError, SamlError } from "./saml-error.js";
import { decryptAssertion } from "./decrypt-assertion.js";
import { findEnvelopedSignature, verifyEnvelopedSignature } from "./verify-signature.js";
import { parseInstant } from "./saml-time.js";
import { addEncryptionAlgorithms, addSignatureAlgorithms, attributeNameFormats, noAlgorithms, type AttributeNameFormat, type MessageAlgorithms } from "./message-algorithms.js";
import {
  attr,
  childElements,
  descendants,
  optionalChild,
  parseXml,
  requiredAttr,
  requiredChild,
  textOf,
  type XmlLimits,
} from "../xml/xml-parser.js";
import { UNTIMED, type PhaseTimer } from "../timing/phase-timer.js";
import type { KeyObject } from "node:crypto";

/** One attribute of a verified assertion: its Name and its values. */
export interface RawAttribute {
  name: string;
  values: string[];
}

export interface ResponseEnvelope {
  document: Document;
  responseId: string;
  inResponseTo: string | undefined;
  issuer: string | undefined;
}

/** Parses a Response far enough to find the login it claims to answer. Nothing here is trusted yet. */
export function readResponseEnvelope(xml: string, limits: XmlLimits): ResponseEnvelope {
  const document = parseXml(xml, limits);
  const root = document.documentElement;
  if (root.namespaceURI !== NS.samlp || root.localName !== "Response") {
    if (root.namespaceURI === NS.samlp && root.localName === "LogoutRequest") {
      throw new SamlError("logout_wrong_endpoint", "logout messages go to the broker's SingleLogoutService (/saml/slo), not the ACS");
    }
    throw new SamlError("not_response", `expected samlp:Response, got ${root.localName}`);
  }
  const issuerElement = optionalChild(root, NS.saml, "Issuer");
  return {
    document,
    responseId: requiredAttr(root, "ID"),
    inResponseTo: attr(root, "InResponseTo") ?? undefined,
    issuer: issuerElement ? textOf(issuerElement).trim() : undefined,
  };
}

export interface ResponseExpectations {
  idpEntityId: string;
  trustedCertificates: readonly string[];
  allowSha1: boolean;
  requireSignedAssertion: boolean;
  requireEncryptedAssertion: boolean;
  acsUrl: string;
  audience: string;
  requestId: string;
  clockSkewMs: number;
  now: number;
  /** Private keys (KeyObject or PEM), tried in order. */
  decryptionKeys: ReadonlyArray<string | KeyObject>;
  limits: XmlLimits;
  maxAttributes: number;
  maxAttributeValues: number;
}

export interface ValidatedAssertion {
  assertionId: string;
  issuer: string;
  nameId: string;
  nameIdFormat: string | undefined;
  attributes: RawAttribute[];
  authnContextClassRef: string | undefined;
  authnInstant: string;
  sessionIndex: string | undefined;
  /** When the assertion stops being usable; the replay cache keeps its id at least until then. */
  expiresAt: number;
  /** The Response's IssueInstant as sent (diagnostics: the IdP self-check's clock check). */
  responseIssueInstant: string | undefined;
  /** The algorithms the verified signatures and the decryption used (diagnostics only). */
  algorithms: MessageAlgorithms;
  /** Each attribute's NameFormat as sent (diagnostics only). */
  attributeNameFormats: AttributeNameFormat[];
}

const SUB_STATUSES: readonly string[] = [STATUS.authnFailed, STATUS.noAuthnContext, STATUS.requestDenied, STATUS.noPassive, STATUS.requestUnsupported];

/** `timer` (optional) records the verify and decrypt steps of a login. */
export async function validateResponse(envelope: ResponseEnvelope, expect: ResponseExpectations, timer: PhaseTimer = UNTIMED): Promise<ValidatedAssertion> {
  let response: Element = envelope.document.documentElement;
  if (attr(response, "Version") !== "2.0") throw new SamlError("version_mismatch", "Response Version must be 2.0");
  checkIssuer(optionalChild(response, NS.saml, "Issuer"), expect.idpEntityId, false);
  if (attr(response, "Destination") !== expect.acsUrl) {
    throw new SamlError("destination_mismatch", `Response Destination ${attr(response, "Destination") ?? "(none)"} is not our ACS URL`);
  }
  if (attr(response, "InResponseTo") !== expect.requestId) throw new SamlError("in_response_to_mismatch", "Response does not answer this login's request");

  const verifyOptions = { trustedCertificates: expect.trustedCertificates, allowSha1: expect.allowSha1, limits: expect.limits };
  if (expect.trustedCertificates.length === 0) throw new SamlError("no_trusted_key", "no trusted signing certificate is configured for this IdP");
  const algorithms = noAlgorithms();
  const responseSignature = findEnvelopedSignature(response);
  const responseSigned = responseSignature !== null;
  if (responseSigned) response = addSignatureAlgorithms(algorithms, responseSignature, timer.time("verify", () => verifyEnvelopedSignature(response, verifyOptions)));

  checkStatus(response);

  const direct = [...childElements(response, NS.saml, "Assertion"), ...childElements(response, NS.saml, "EncryptedAssertion")];
  const everywhere = descendants(response, NS.saml, "Assertion").length + descendants(response, NS.saml, "EncryptedAssertion").length;
  if (direct.length !== 1 || everywhere !== 1) {
    throw new SamlError("assertion_count", `Response must carry exactly one assertion (found ${direct.length} direct, ${everywhere} in all)`);
  }
  refuseStraySignatures(response);
  let assertion = direct[0]!;
  const arrivedEncrypted = assertion.localName === "EncryptedAssertion";
  if (arrivedEncrypted) {
    const encrypted = assertion;
    assertion = await timer.time("decrypt", () => decryptAssertion(encrypted, expect.decryptionKeys, expect.limits));
    addEncryptionAlgorithms(algorithms, encrypted);
  } else if (expect.requireEncryptedAssertion) {
    throw new SamlError("assertion_not_encrypted", "this IdP must send an encrypted assertion");
  }
  const assertionSignature = findEnvelopedSignature(assertion);
  if (assertionSignature !== null) {
    const signed = assertion;
    assertion = addSignatureAlgorithms(algorithms, assertionSignature, timer.time("verify", () => verifyEnvelopedSignature(signed, verifyOptions)));
  } else if (expect.requireSignedAssertion || !responseSigned) {
    throw new SamlError("assertion_not_signed", responseSigned ? "the assertion itself must be signed" : "neither the Response nor the assertion is signed");
  }
  refuseNestedAssertions(assertion);
  // A plain assertion's content was in the Response scanned above; a decrypted one's is checked now.
  if (arrivedEncrypted) refuseStraySignatures(assertion);
  return { ...readAssertion(assertion, expect), responseIssueInstant: attr(response, "IssueInstant") ?? undefined, algorithms, attributeNameFormats: attributeNameFormats(assertion) };
}

/**
 * A Signature may sit only where one is read: as a direct child of the
 * Response, or of the assertion directly in it. A Signature anywhere else (a
 * copy of the assertion's parked in Status or Extensions, say) is refused,
 * not ignored: another verifier could pick it up, and a message that holds
 * more signatures than it needs is not one an honest IdP sends.
 */
function refuseStraySignatures(root: Element): void {
  const allowed = new Set<Element>(childElements(root, NS.ds, "Signature"));
  for (const assertion of childElements(root, NS.saml, "Assertion")) for (const signature of childElements(assertion, NS.ds, "Signature")) allowed.add(signature);
  const stray = descendants(root, NS.ds, "Signature").filter((signature) => !allowed.has(signature));
  if (stray.length > 0) {
    const where = stray[0]!.parentNode as Element | null;
    throw new SamlError("signature_unexpected", `a Signature inside ${where?.localName ?? "the message"}, where none is read`);
  }
}

/** An assertion inside an assertion (Advice) is never read: refuse it outright. */
export function refuseNestedAssertions(assertion: Element): void {
  if (descendants(assertion, NS.saml, "Assertion").length > 0 || descendants(assertion, NS.saml, "EncryptedAssertion").length > 0) {
    throw new SamlError("assertion_count", "nested assertions (Advice) are not accepted");
  }
}

/** Issuer must name `expected` (Format absent or entity); when `required`, it must be present. */
export function checkIssuer(issuer: Element | null, expected: string, required: boolean): void {
  if (!issuer) {
    if (required) throw new SamlError("issuer_mismatch", "Issuer is missing");
    return;
  }
  const format = attr(issuer, "Format");
  if (format !== null && format !== NAMEID_FORMAT.entity) throw new SamlError("issuer_mismatch", "Issuer Format must be entity");
  if (textOf(issuer).trim() !== expected) throw new SamlError("issuer_mismatch", `Issuer is not ${expected}`);
}

function checkStatus(response: Element): void {
  const status = requiredChild(response, NS.samlp, "Status");
  const code = requiredChild(status, NS.samlp, "StatusCode");
  const value = requiredAttr(code, "Value");
  if (value === STATUS.success) return;
  const inner = optionalChild(code, NS.samlp, "StatusCode");
  const innerValue = inner ? attr(inner, "Value") : null;
  const sub = innerValue && SUB_STATUSES.includes(innerValue) ? (innerValue as SubStatus) : STATUS.authnFailed;
  const messageElement = optionalChild(status, NS.samlp, "StatusMessage");
  let message: string;
  try {
    message = messageElement ? textOf(messageElement).slice(0, 200) : "";
  } catch {
    message = "";
  }
  throw new SamlError("upstream_status", `IdP answered ${value}${innerValue ? ` / ${innerValue}` : ""}${message ? `: ${message}` : ""}`, STATUS.responder, sub);
}

function readAssertion(assertion: Element, expect: ResponseExpectations): Omit<ValidatedAssertion, "responseIssueInstant" | "algorithms" | "attributeNameFormats"> {
  if (attr(assertion, "Version") !== "2.0") throw new SamlError("version_mismatch", "Assertion Version must be 2.0");
  const assertionId = requiredAttr(assertion, "ID");
  checkIssuer(requiredChild(assertion, NS.saml, "Issuer"), expect.idpEntityId, true);
  const now = expect.now;
  const skew = expect.clockSkewMs;

  const subject = requiredChild(assertion, NS.saml, "Subject");
  const nameIdElement = requiredChild(subject, NS.saml, "NameID");
  const nameId = textOf(nameIdElement).trim();
  if (nameId === "") throw new SamlError("subject_invalid", "NameID is empty");
  const confirmations = childElements(subject, NS.saml, "SubjectConfirmation").filter((c) => attr(c, "Method") === BEARER);
  if (confirmations.length === 0) throw new SamlError("subject_confirmation_invalid", "no bearer SubjectConfirmation");
  let confirmationExpiry = 0;
  const problems: SamlError[] = [];
  for (const confirmation of confirmations) {
    try {
      const data = requiredChild(confirmation, NS.saml, "SubjectConfirmationData");
      if (attr(data, "Recipient") !== expect.acsUrl) throw new SamlError("recipient_mismatch", "SubjectConfirmationData Recipient is not our ACS URL");
      if (attr(data, "InResponseTo") !== expect.requestId) throw new SamlError("in_response_to_mismatch", "SubjectConfirmationData does not answer this login's request");
      const notOnOrAfter = parseInstant(attr(data, "NotOnOrAfter"), "SubjectConfirmationData NotOnOrAfter");
      if (now >= notOnOrAfter + skew) throw new SamlError("assertion_expired", "SubjectConfirmationData has expired");
      const notBefore = attr(data, "NotBefore");
      if (notBefore !== null && parseInstant(notBefore, "SubjectConfirmationData NotBefore") > now + skew) {
        throw new SamlError("assertion_not_yet_valid", "SubjectConfirmationData is not yet valid");
      }
      confirmationExpiry = Math.max(confirmationExpiry, notOnOrAfter);
    } catch (error) {
      if (error instanceof XmlError) problems.push(asSamlError(error));
      else throw error;
    }
  }
  if (confirmationExpiry === 0) throw problems[0] ?? new SamlError("subject_confirmation_invalid", "no usable SubjectConfirmation");

  const conditions = requiredChild(assertion, NS.saml, "Conditions");
  const notBefore = attr(conditions, "NotBefore");
  if (notBefore !== null && parseInstant(notBefore, "Conditions NotBefore") > now + skew) {
    throw new SamlError("assertion_not_yet_valid", "assertion is not yet valid (Conditions NotBefore)");
  }
  const conditionsNotOnOrAfter = attr(conditions, "NotOnOrAfter");
  let expiresAt = confirmationExpiry;
  if (conditionsNotOnOrAfter !== null) {
    const end = parseInstant(conditionsNotOnOrAfter, "Conditions NotOnOrAfter");
    if (now >= end + skew) throw new SamlError("assertion_expired", "assertion has expired (Conditions NotOnOrAfter)");
    expiresAt = Math.max(expiresAt, end);
  }
  const restrictions = childElements(conditions, NS.saml, "AudienceRestriction");
  if (restrictions.length === 0) throw new SamlError("audience_mismatch", "assertion has no AudienceRestriction");
  for (const restriction of restrictions) {
    const audiences = childElements(restriction, NS.saml, "Audience").map((a) => textOf(a).trim());
    if (!audiences.includes(expect.audience)) throw new SamlError("audience_mismatch", "assertion is not addressed to this broker (Audience)");
  }

  const authnStatements = childElements(assertion, NS.saml, "AuthnStatement");
  if (authnStatements.length !== 1) throw new SamlError("authn_statement_invalid", "assertion must hold exactly one AuthnStatement");
  const authn = authnStatements[0]!;
  const authnInstant = requiredAttr(authn, "AuthnInstant");
  parseInstant(authnInstant, "AuthnInstant");
  const sessionNotOnOrAfter = attr(authn, "SessionNotOnOrAfter");
  if (sessionNotOnOrAfter !== null && now >= parseInstant(sessionNotOnOrAfter, "SessionNotOnOrAfter") + skew) {
    throw new SamlError("assertion_expired", "authentication session has expired (SessionNotOnOrAfter)");
  }
  const context = optionalChild(authn, NS.saml, "AuthnContext");
  const classRefElement = context ? optionalChild(context, NS.saml, "AuthnContextClassRef") : null;

  const statements = childElements(assertion, NS.saml, "AttributeStatement");
  if (statements.length > 1) throw new SamlError("attribute_statement_invalid", "assertion holds more than one AttributeStatement");
  const attributes = statements[0] ? readAttributes(statements[0], expect) : [];

  return {
    assertionId,
    issuer: expect.idpEntityId,
    nameId,
    nameIdFormat: attr(nameIdElement, "Format") ?? undefined,
    attributes,
    authnContextClassRef: classRefElement ? textOf(classRefElement).trim() : undefined,
    authnInstant,
    sessionIndex: attr(authn, "SessionIndex") ?? undefined,
    expiresAt,
  };
}

/** The attributes of one AttributeStatement, with the count limits; values must be plain text. */
export function readAttributes(statement: Element, expect: Pick<ResponseExpectations, "maxAttributes" | "maxAttributeValues">): RawAttribute[] {
  const elements = childElements(statement, NS.saml, "Attribute");
  if (elements.length > expect.maxAttributes) throw new SamlError("too_many_attributes", `more than ${expect.maxAttributes} attributes`);
  if (childElements(statement, NS.saml, "EncryptedAttribute").length > 0) {
    throw new SamlError("attribute_statement_invalid", "encrypted attributes are not supported");
  }
  const seen = new Map<string, RawAttribute>();
  let valueCount = 0;
  for (const element of elements) {
    const name = requiredAttr(element, "Name");
    const values = childElements(element, NS.saml, "AttributeValue").map((v) => textOf(v));
    valueCount += values.length;
    if (valueCount > expect.maxAttributeValues) throw new SamlError("too_many_attributes", `more than ${expect.maxAttributeValues} attribute values`);
    const existing = seen.get(name);
    if (existing) existing.values.push(...values);
    else seen.set(name, { name, values });
  }
  return [...seen.values()];
}
