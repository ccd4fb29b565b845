/** AuthnRequest: built by the broker toward IdPs, read when a fagsystem sends one. */
import { NAMEID_FORMAT, NS } from "./namespaces.js";
import { SamlError } from "./saml-error.js";
import { buildXml, x } from "../xml/xml-builder.js";
import { attr, childElements, optionalChild, requiredAttr, textOf } from "../xml/xml-parser.js";

export interface AuthnRequestToIdp {
  id: string;
  issueInstant: string;
  issuer: string;
  destination: string;
  acsUrl: string | undefined;
  forceAuthn: boolean;
  isPassive: boolean;
  /** Scoping/RequesterID: the fagsystem's entityID; omitted when undefined. */
  requesterId: string | undefined;
  /** RequestedAuthnContext classes (Comparison="minimum"); omitted when empty. */
  requestedClassRefs: string[];
}

export function buildAuthnRequest(input: AuthnRequestToIdp): string {
  return buildXml(
    x(
      NS.samlp,
      "samlp:AuthnRequest",
      {
        ID: input.id,
        Version: "2.0",
        IssueInstant: input.issueInstant,
        Destination: input.destination,
        AssertionConsumerServiceURL: input.acsUrl,
        ProtocolBinding: "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
        ForceAuthn: input.forceAuthn ? "true" : undefined,
        IsPassive: input.isPassive ? "true" : undefined,
      },
      [
        x(NS.saml, "saml:Issuer", {}, [input.issuer]),
        x(NS.samlp, "samlp:NameIDPolicy", { AllowCreate: "true", Format: NAMEID_FORMAT.unspecified }),
        input.requestedClassRefs.length > 0 &&
          x(
            NS.samlp,
            "samlp:RequestedAuthnContext",
            { Comparison: "minimum" },
            input.requestedClassRefs.map((ref) => x(NS.saml, "saml:AuthnContextClassRef", {}, [ref])),
          ),
        input.requesterId !== undefined && x(NS.samlp, "samlp:Scoping", {}, [x(NS.samlp, "samlp:RequesterID", {}, [input.requesterId])]),
      ],
      { saml: NS.saml },
    ),
  );
}

export interface ReceivedAuthnRequest {
  element: Element;
  id: string;
  issuer: string;
  issueInstant: string;
  destination: string | undefined;
  acsUrl: string | undefined;
  acsIndex: number | undefined;
  protocolBinding: string | undefined;
  forceAuthn: boolean;
  isPassive: boolean;
  requestedClassRefs: string[];
  comparison: string;
  nameIdPolicyFormat: string | undefined;
}

const ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]{0,255}$/;

export function readAuthnRequest(root: Element): ReceivedAuthnRequest {
  if (root.namespaceURI !== NS.samlp || root.localName !== "AuthnRequest") {
    throw new SamlError("not_authn_request", `expected samlp:AuthnRequest, got ${root.localName}`);
  }
  if (attr(root, "Version") !== "2.0") throw new SamlError("version_mismatch", "AuthnRequest Version must be 2.0");
  const id = requiredAttr(root, "ID");
  if (!ID_PATTERN.test(id)) throw new SamlError("request_invalid", "AuthnRequest ID is not a valid xs:ID");
  const issuerElement = optionalChild(root, NS.saml, "Issuer");
  if (!issuerElement) throw new SamlError("issuer_missing", "AuthnRequest has no Issuer");
  const issuer = textOf(issuerElement).trim();
  const acsIndexRaw = attr(root, "AssertionConsumerServiceIndex");
  const acsIndex = acsIndexRaw === null ? undefined : Number(acsIndexRaw);
  if (acsIndex !== undefined && (!Number.isInteger(acsIndex) || acsIndex < 0)) throw new SamlError("request_invalid", "AssertionConsumerServiceIndex is not a number");
  const acsUrl = attr(root, "AssertionConsumerServiceURL") ?? undefined;
  if (acsIndex !== undefined && acsUrl !== undefined) {
    throw new SamlError("request_invalid", "AuthnRequest names both an ACS index and an ACS URL");
  }
  const requested = optionalChild(root, NS.samlp, "RequestedAuthnContext");
  const requestedClassRefs = requested ? childElements(requested, NS.saml, "AuthnContextClassRef").map((e) => textOf(e).trim()) : [];
  const nameIdPolicy = optionalChild(root, NS.samlp, "NameIDPolicy");
  return {
    element: root,
    id,
    issuer,
    issueInstant: requiredAttr(root, "IssueInstant"),
    destination: attr(root, "Destination") ?? undefined,
    acsUrl,
    acsIndex,
    protocolBinding: attr(root, "ProtocolBinding") ?? undefined,
    forceAuthn: attr(root, "ForceAuthn") === "true" || attr(root, "ForceAuthn") === "1",
    isPassive: attr(root, "IsPassive") === "true" || attr(root, "IsPassive") === "1",
    requestedClassRefs,
    comparison: (requested && attr(requested, "Comparison")) || "exact",
    nameIdPolicyFormat: (nameIdPolicy && attr(nameIdPolicy, "Format")) || undefined,
  };
}
