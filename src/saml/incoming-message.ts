/**
 * A SAML protocol message arriving at an endpoint by HTTP-Redirect (detached
 * signature over the query's octets) or HTTP-POST (enveloped signature):
 * decoded and parsed within the limits, with a check that verifies it
 * against a party's trusted certificates and returns the element to read.
 * Messages that must be signed (logout) call `verifiedBy`, which refuses an
 * unsigned one.
 */
import { decodeRedirect, verifyRedirectSignature } from "./redirect-binding.js";
import { decodePostMessage } from "./post-binding.js";
import { findEnvelopedSignature, verifyEnvelopedSignature } from "./verify-signature.js";
import { SamlError } from "./saml-error.js";
import { optionalChild, parseXml, textOf, type XmlLimits } from "../xml/xml-parser.js";
import { NS } from "./namespaces.js";
import { soapBodyMessage } from "./logout-messages.js";

export interface IncomingHttp {
  method: "GET" | "POST";
  rawQuery: string;
  body: Record<string, unknown>;
}

export interface MessageLimits {
  bodyBytes: number;
  inflatedBytes: number;
  relayStateBytes: number;
}

export interface IncomingMessage {
  kind: "SAMLRequest" | "SAMLResponse";
  binding: "redirect" | "post" | "soap";
  /** The parsed root, not yet trusted: read only to find the sender (Issuer). */
  unverified: Element;
  /** The Issuer the message claims, for choosing the keys that verify it. */
  claimedIssuer: string | undefined;
  relayState: string | undefined;
  /** Verifies the signature with these certificates and returns the element that was signed; throws SamlError. */
  verifiedBy(trustedCertificates: readonly string[], allowSha1: boolean): Element;
}

export function readIncomingMessage(http: IncomingHttp, limits: MessageLimits, xmlLimits: XmlLimits): IncomingMessage {
  if (http.method === "GET") {
    const message = decodeRedirect(http.rawQuery, { maxEncodedBytes: limits.bodyBytes, maxInflatedBytes: limits.inflatedBytes, maxRelayStateBytes: limits.relayStateBytes });
    const root = parseXml(message.xml, xmlLimits).documentElement;
    return {
      kind: message.kind,
      binding: "redirect",
      unverified: root,
      claimedIssuer: issuerOf(root),
      relayState: message.relayState,
      verifiedBy(certificates, allowSha1) {
        // A redirect message carries its signature in the query; one inside the XML is not looked at and not trusted.
        verifyRedirectSignature(message, certificates, { allowSha1 });
        return root;
      },
    };
  }
  const kind = http.body["SAMLRequest"] !== undefined ? "SAMLRequest" : "SAMLResponse";
  if (http.body["SAMLRequest"] !== undefined && http.body["SAMLResponse"] !== undefined) {
    throw new SamlError("binding_invalid", "the form must carry exactly one of SAMLRequest or SAMLResponse");
  }
  const xml = decodePostMessage(http.body[kind], limits.inflatedBytes);
  const rawRelay = http.body["RelayState"];
  if (rawRelay !== undefined && typeof rawRelay !== "string") throw new SamlError("binding_invalid", "RelayState must be text");
  if (rawRelay !== undefined && Buffer.byteLength(rawRelay) > limits.relayStateBytes) {
    throw new SamlError("relay_state_too_long", `RelayState is longer than ${limits.relayStateBytes} bytes`);
  }
  const root = parseXml(xml, xmlLimits).documentElement;
  return {
    kind,
    binding: "post",
    unverified: root,
    claimedIssuer: issuerOf(root),
    relayState: rawRelay,
    verifiedBy(certificates, allowSha1) {
      if (!findEnvelopedSignature(root)) throw new SamlError("signature_missing", `the ${root.localName} is not signed`);
      return verifyEnvelopedSignature(root, { trustedCertificates: certificates, allowSha1, limits: xmlLimits });
    },
  };
}

/** A message in a SOAP envelope (the back channel): always with an enveloped signature. */
export function readSoapMessage(xml: string, xmlLimits: XmlLimits): IncomingMessage {
  const root = soapBodyMessage(parseXml(xml, xmlLimits).documentElement);
  return {
    kind: root.localName.endsWith("Response") ? "SAMLResponse" : "SAMLRequest",
    binding: "soap",
    unverified: root,
    claimedIssuer: issuerOf(root),
    relayState: undefined,
    verifiedBy(certificates, allowSha1) {
      if (!findEnvelopedSignature(root)) throw new SamlError("signature_missing", `the ${root.localName} is not signed`);
      return verifyEnvelopedSignature(root, { trustedCertificates: certificates, allowSha1, limits: xmlLimits });
    },
  };
}

function issuerOf(root: Element): string | undefined {
  const issuer = optionalChild(root, NS.saml, "Issuer");
  return issuer ? textOf(issuer).trim() : undefined;
}
