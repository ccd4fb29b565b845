/**
 * Sending logout messages to a party's SingleLogoutService: signed,
 * HTTP-Redirect first (detached signature), else HTTP-POST (enveloped
 * signature), or over SOAP on the back channel with a time limit and a size
 * limit on the answer.
 */
import type { KeyMaterial } from "../keys/key-material.js";
import type { SignatureAlgorithm } from "./algorithms.js";
import type { LogoutEndpoint } from "./metadata-reader.js";
import { BINDING } from "./namespaces.js";
import { encodeRedirect } from "./redirect-binding.js";
import { encodePostMessage } from "./post-binding.js";
import { signEnveloped } from "./sign.js";
import { SamlError } from "./saml-error.js";
import { soapBodyMessage, soapEnvelope } from "./logout-messages.js";
import { parseXml, type XmlLimits } from "../xml/xml-parser.js";

/** Where the browser goes next with a message (the HTTP edge renders it; the same shape as the core's Interaction). */
export type OutgoingMessage = { kind: "redirect"; url: string } | { kind: "post"; url: string; fields: Record<string, string> };

export interface LogoutSigning {
  key: KeyMaterial;
  algorithm: SignatureAlgorithm;
}

export interface FrontChannelEndpoint {
  binding: typeof BINDING.redirect | typeof BINDING.post;
  url: string;
}

/** The browser-borne endpoint for a request, or for a response (its ResponseLocation when given). */
export function frontChannelEndpoint(services: readonly LogoutEndpoint[], forResponse: boolean): FrontChannelEndpoint | undefined {
  for (const binding of [BINDING.redirect, BINDING.post] as const) {
    const service = services.find((s) => s.binding === binding);
    if (service) return { binding, url: forResponse ? (service.responseLocation ?? service.location) : service.location };
  }
  return undefined;
}

export function soapEndpoint(services: readonly LogoutEndpoint[]): string | undefined {
  return services.find((s) => s.binding === BINDING.soap)?.location;
}

/** The browser's next step carrying a signed logout message to `endpoint`. */
export function deliverLogoutMessage(
  endpoint: FrontChannelEndpoint,
  kind: "SAMLRequest" | "SAMLResponse",
  xml: string,
  id: string,
  relayState: string | undefined,
  signing: LogoutSigning,
): OutgoingMessage {
  if (endpoint.binding === BINDING.redirect) {
    return { kind: "redirect", url: encodeRedirect(endpoint.url, kind, xml, relayState, { privateKey: signing.key.privateKey, algorithm: signing.algorithm }) };
  }
  const fields: Record<string, string> = { [kind]: encodePostMessage(signEnveloped(xml, id, true, signing)) };
  if (relayState !== undefined) fields["RelayState"] = relayState;
  return { kind: "post", url: endpoint.url, fields };
}

/**
 * Sends a signed message over SOAP and returns the message in the answer's
 * Body, parsed but not yet verified (the caller verifies it with the party's keys).
 */
export async function soapExchange(url: string, xml: string, id: string, signing: LogoutSigning, timeoutMs: number, limits: XmlLimits): Promise<Element> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "text/xml; charset=utf-8", soapaction: "http://www.oasis-open.org/committees/security" },
    body: soapEnvelope(signEnveloped(xml, id, true, signing)),
    redirect: "error",
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (response.status !== 200) throw new SamlError("soap_failed", `the SOAP endpoint answered HTTP ${response.status}`);
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > limits.maxBytes) throw new SamlError("message_too_large", "the SOAP answer is too large");
  const text = await response.text();
  return soapBodyMessage(parseXml(text, limits).documentElement);
}
