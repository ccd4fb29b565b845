/**
 * Single Logout messages (Saml2Core §3.7): LogoutRequest and LogoutResponse,
 * built by the broker and read from a party's message. Reading takes the
 * element the signature check returned, never the unverified document.
 */
import { NS, STATUS } from "./namespaces.js";
import { SamlError } from "./saml-error.js";
import { buildXml, x } from "../xml/xml-builder.js";
import { attr, childElements, optionalChild, requiredAttr, textOf } from "../xml/xml-parser.js";

/** Not every party could be reached: the LogoutResponse's second-level status (Saml2Core §3.2.2.2). */
export const PARTIAL_LOGOUT = "urn:oasis:names:tc:SAML:2.0:status:PartialLogout";
export const UNKNOWN_PRINCIPAL = "urn:oasis:names:tc:SAML:2.0:status:UnknownPrincipal";
/** SAML V2.0 Asynchronous Single Logout Profile Extension: the requester expects no LogoutResponse. */
export const ASYNC_SLO_NS = "urn:oasis:names:tc:SAML:2.0:protocol:ext:async-slo";

export interface LogoutRequestToParty {
  id: string;
  issueInstant: string;
  notOnOrAfter: string;
  issuer: string;
  destination: string;
  nameId: string;
  nameIdFormat: string | undefined;
  sessionIndex: string | undefined;
}

export function buildLogoutRequest(input: LogoutRequestToParty): string {
  return buildXml(
    x(
      NS.samlp,
      "samlp:LogoutRequest",
      { ID: input.id, Version: "2.0", IssueInstant: input.issueInstant, Destination: input.destination, NotOnOrAfter: input.notOnOrAfter },
      [
        x(NS.saml, "saml:Issuer", {}, [input.issuer]),
        x(NS.saml, "saml:NameID", { Format: input.nameIdFormat }, [input.nameId]),
        input.sessionIndex !== undefined && x(NS.samlp, "samlp:SessionIndex", {}, [input.sessionIndex]),
      ],
      { saml: NS.saml },
    ),
  );
}

export interface LogoutResponseToParty {
  id: string;
  issueInstant: string;
  issuer: string;
  /** None on the SOAP back channel. */
  destination: string | undefined;
  inResponseTo: string;
  status: string;
  subStatus?: string | undefined;
  statusMessage?: string | undefined;
}

export function buildLogoutResponse(input: LogoutResponseToParty): string {
  return buildXml(
    x(
      NS.samlp,
      "samlp:LogoutResponse",
      { ID: input.id, Version: "2.0", IssueInstant: input.issueInstant, Destination: input.destination, InResponseTo: input.inResponseTo },
      [
        x(NS.saml, "saml:Issuer", {}, [input.issuer]),
        x(NS.samlp, "samlp:Status", {}, [
          x(NS.samlp, "samlp:StatusCode", { Value: input.status }, [input.subStatus !== undefined && x(NS.samlp, "samlp:StatusCode", { Value: input.subStatus })]),
          input.statusMessage !== undefined && x(NS.samlp, "samlp:StatusMessage", {}, [input.statusMessage]),
        ]),
      ],
      { saml: NS.saml },
    ),
  );
}

const ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]{0,255}$/;

export interface ReceivedLogoutRequest {
  id: string;
  issuer: string;
  issueInstant: string;
  destination: string | undefined;
  notOnOrAfter: string | undefined;
  nameId: string;
  nameIdFormat: string | undefined;
  sessionIndexes: string[];
  /** `<samlp:Extensions><aslo:Asynchronous/>`: answer with no LogoutResponse (Shibboleth SP's default). */
  asynchronous: boolean;
}

export interface ReceivedLogoutResponse {
  id: string;
  issuer: string;
  issueInstant: string;
  destination: string | undefined;
  inResponseTo: string | undefined;
  status: string;
  subStatus: string | undefined;
}

function issuerOf(root: Element, what: string): string {
  const element = optionalChild(root, NS.saml, "Issuer");
  if (!element) throw new SamlError("issuer_missing", `${what} has no Issuer`);
  return textOf(element).trim();
}

function idOf(root: Element, what: string): string {
  if (attr(root, "Version") !== "2.0") throw new SamlError("version_mismatch", `${what} Version must be 2.0`);
  const id = requiredAttr(root, "ID");
  if (!ID_PATTERN.test(id)) throw new SamlError("request_invalid", `${what} ID is not a valid xs:ID`);
  return id;
}

/** Whether a message's root is a LogoutRequest or a LogoutResponse (or neither). */
export function logoutMessageKind(root: Element): "LogoutRequest" | "LogoutResponse" | undefined {
  if (root.namespaceURI !== NS.samlp) return undefined;
  return root.localName === "LogoutRequest" || root.localName === "LogoutResponse" ? root.localName : undefined;
}

export function readLogoutRequest(root: Element): ReceivedLogoutRequest {
  if (logoutMessageKind(root) !== "LogoutRequest") throw new SamlError("not_logout_request", `expected samlp:LogoutRequest, got ${root.localName}`);
  const id = idOf(root, "LogoutRequest");
  if (optionalChild(root, NS.saml, "EncryptedID")) throw new SamlError("encrypted_id_unsupported", "an EncryptedID is read only once withDecryptedNameId has decrypted it");
  const nameIds = childElements(root, NS.saml, "NameID");
  if (nameIds.length !== 1) throw new SamlError("request_invalid", "LogoutRequest must name exactly one NameID");
  const nameId = nameIds[0]!;
  return {
    id,
    issuer: issuerOf(root, "LogoutRequest"),
    issueInstant: requiredAttr(root, "IssueInstant"),
    destination: attr(root, "Destination") ?? undefined,
    notOnOrAfter: attr(root, "NotOnOrAfter") ?? undefined,
    nameId: textOf(nameId).trim(),
    nameIdFormat: attr(nameId, "Format") ?? undefined,
    sessionIndexes: childElements(root, NS.samlp, "SessionIndex").map((e) => textOf(e).trim()),
    asynchronous: childElements(root, NS.samlp, "Extensions").some((extensions) => childElements(extensions, ASYNC_SLO_NS, "Asynchronous").length > 0),
  };
}

export function readLogoutResponse(root: Element): ReceivedLogoutResponse {
  if (logoutMessageKind(root) !== "LogoutResponse") throw new SamlError("not_logout_response", `expected samlp:LogoutResponse, got ${root.localName}`);
  const id = idOf(root, "LogoutResponse");
  const status = optionalChild(root, NS.samlp, "Status");
  const code = status && optionalChild(status, NS.samlp, "StatusCode");
  if (!code) throw new SamlError("status_missing", "LogoutResponse has no StatusCode");
  const second = optionalChild(code, NS.samlp, "StatusCode");
  return {
    id,
    issuer: issuerOf(root, "LogoutResponse"),
    issueInstant: requiredAttr(root, "IssueInstant"),
    destination: attr(root, "Destination") ?? undefined,
    inResponseTo: attr(root, "InResponseTo") ?? undefined,
    status: requiredAttr(code, "Value"),
    subStatus: second ? requiredAttr(second, "Value") : undefined,
  };
}

/** Whether a LogoutResponse says the party logged the person out (Success without PartialLogout). */
export function loggedOut(response: ReceivedLogoutResponse): boolean {
  return response.status === STATUS.success && response.subStatus !== PARTIAL_LOGOUT;
}

/** SOAP 1.1 envelope for the back channel (SAML bindings §3.2). */
export const SOAP_ENVELOPE_NS = "http://schemas.xmlsoap.org/soap/envelope/";

export function soapEnvelope(messageXml: string): string {
  const body = messageXml.replace(/^<\?xml[^>]*\?>\s*/, "");
  return `<?xml version="1.0" encoding="UTF-8"?><soap11:Envelope xmlns:soap11="${SOAP_ENVELOPE_NS}"><soap11:Body>${body}</soap11:Body></soap11:Envelope>`;
}

/** The one SAML element in a SOAP envelope's Body. */
export function soapBodyMessage(root: Element): Element {
  if (root.namespaceURI !== SOAP_ENVELOPE_NS || root.localName !== "Envelope") throw new SamlError("binding_invalid", "expected a SOAP 1.1 Envelope");
  const bodies = childElements(root, SOAP_ENVELOPE_NS, "Body");
  if (bodies.length !== 1) throw new SamlError("binding_invalid", "SOAP Envelope must have one Body");
  const children = Array.from(bodies[0]!.childNodes).filter((n): n is Element => n.nodeType === 1);
  if (children.length !== 1) throw new SamlError("binding_invalid", "SOAP Body must hold exactly one SAML message");
  return children[0]!;
}
