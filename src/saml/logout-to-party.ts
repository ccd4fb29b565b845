/**
 * The broker's logout messages to one party (a fagsystem or an upstream
 * IdP), from the party's metadata: a LogoutRequest through the browser or
 * over SOAP (its answer verified with the party's keys), and a
 * LogoutResponse to a party that asked.
 */
import type { LogoutEndpoint } from "./metadata-reader.js";
import { buildLogoutRequest, buildLogoutResponse, loggedOut, readLogoutResponse, soapEnvelope } from "./logout-messages.js";
import { signEnveloped } from "./sign.js";
import { deliverLogoutMessage, frontChannelEndpoint, soapEndpoint, soapExchange, type LogoutSigning, type OutgoingMessage } from "./logout-delivery.js";
import { samlInstant } from "./saml-time.js";
import { findEnvelopedSignature, verifyEnvelopedSignature } from "./verify-signature.js";
import { SamlError } from "./saml-error.js";
import { randomBytes } from "node:crypto";
import type { XmlLimits } from "../xml/xml-parser.js";

export interface LogoutParty {
  entityId: string;
  singleLogoutServices: readonly LogoutEndpoint[];
  signingCertificates: readonly string[];
  allowSha1: boolean;
}

export interface LogoutSubject {
  nameId: string;
  nameIdFormat: string | undefined;
  sessionIndex: string | undefined;
}

export interface LogoutSender {
  issuer: string;
  signing: LogoutSigning;
  now: number;
  /** How long a LogoutRequest is valid (NotOnOrAfter). */
  lifetimeMs: number;
}

function messageId(): string {
  return `_${randomBytes(20).toString("hex")}`;
}

function requestXml(sender: LogoutSender, destination: string, subject: LogoutSubject, id: string): string {
  return buildLogoutRequest({
    id,
    issueInstant: samlInstant(sender.now),
    notOnOrAfter: samlInstant(sender.now + sender.lifetimeMs),
    issuer: sender.issuer,
    destination,
    nameId: subject.nameId,
    nameIdFormat: subject.nameIdFormat,
    sessionIndex: subject.sessionIndex,
  });
}

/** Which way the party can be told: SOAP (back), the browser (front), or not at all. */
export function logoutChannelOf(party: LogoutParty): "soap" | "browser" | "none" {
  if (soapEndpoint(party.singleLogoutServices)) return "soap";
  return frontChannelEndpoint(party.singleLogoutServices, false) ? "browser" : "none";
}

export function logoutRequestThroughBrowser(sender: LogoutSender, party: LogoutParty, subject: LogoutSubject, relayState: string): { interaction: OutgoingMessage; requestId: string } {
  const endpoint = frontChannelEndpoint(party.singleLogoutServices, false);
  if (!endpoint) throw new SamlError("no_logout_endpoint", `${party.entityId} has no SingleLogoutService for the browser`);
  const id = messageId();
  return { interaction: deliverLogoutMessage(endpoint, "SAMLRequest", requestXml(sender, endpoint.url, subject, id), id, relayState, sender.signing), requestId: id };
}

/** True when the party answered Success; throws when the answer cannot be trusted or did not come. */
export async function logoutRequestOverSoap(sender: LogoutSender, party: LogoutParty, subject: LogoutSubject, timeoutMs: number, limits: XmlLimits): Promise<boolean> {
  const url = soapEndpoint(party.singleLogoutServices);
  if (!url) throw new SamlError("no_logout_endpoint", `${party.entityId} has no SOAP SingleLogoutService`);
  const id = messageId();
  const answer = await soapExchange(url, requestXml(sender, url, subject, id), id, sender.signing, timeoutMs, limits);
  if (!findEnvelopedSignature(answer)) throw new SamlError("signature_missing", "the SOAP LogoutResponse is not signed");
  const verified = verifyEnvelopedSignature(answer, { trustedCertificates: party.signingCertificates, allowSha1: party.allowSha1, limits });
  const response = readLogoutResponse(verified);
  if (response.issuer !== party.entityId) throw new SamlError("issuer_mismatch", "the SOAP LogoutResponse is from another party");
  if (response.inResponseTo !== id) throw new SamlError("in_response_to_mismatch", "the SOAP LogoutResponse answers another request");
  return loggedOut(response);
}

/** The signed LogoutResponse in a SOAP envelope, the answer on the back channel. */
export function logoutResponseOverSoap(sender: LogoutSender, inResponseTo: string, status: { status: string; subStatus?: string | undefined; message?: string | undefined }): string {
  const id = messageId();
  const xml = buildLogoutResponse({
    id,
    issueInstant: samlInstant(sender.now),
    issuer: sender.issuer,
    destination: undefined,
    inResponseTo,
    status: status.status,
    subStatus: status.subStatus,
    statusMessage: status.message,
  });
  return soapEnvelope(signEnveloped(xml, id, true, sender.signing));
}

/** The LogoutResponse to a party that asked; undefined when its metadata offers no endpoint for the browser. */
export function logoutResponseThroughBrowser(
  sender: LogoutSender,
  party: LogoutParty,
  inResponseTo: string,
  status: { status: string; subStatus?: string | undefined; message?: string | undefined },
  relayState: string | undefined,
): OutgoingMessage | undefined {
  const endpoint = frontChannelEndpoint(party.singleLogoutServices, true);
  if (!endpoint) return undefined;
  const id = messageId();
  const xml = buildLogoutResponse({
    id,
    issueInstant: samlInstant(sender.now),
    issuer: sender.issuer,
    destination: endpoint.url,
    inResponseTo,
    status: status.status,
    subStatus: status.subStatus,
    statusMessage: status.message,
  });
  return deliverLogoutMessage(endpoint, "SAMLResponse", xml, id, relayState, sender.signing);
}
