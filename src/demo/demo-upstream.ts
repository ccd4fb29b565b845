/**
 * What every demo upstream (a municipal IdP, the demo NemLog-in) does the
 * same way: serve the shared page assets, read and verify the broker's signed
 * AuthnRequest, and answer with a signed assertion encrypted to the broker,
 * auto-posted to its ACS. Not for production use.
 */
import type express from "express";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { KeyMaterial } from "../keys/key-material.js";
import type { SpMetadata } from "../saml/metadata-reader.js";
import { decodeRedirect, verifyRedirectSignature } from "../saml/redirect-binding.js";
import { parseXml } from "../xml/xml-parser.js";
import { readAuthnRequest } from "../saml/authn-request.js";
import { buildAssertion, buildResponse, type OutgoingAttribute } from "../saml/response-builder.js";
import { signEnveloped } from "../saml/sign.js";
import { encryptAssertion, OIOSAML3_ENCRYPTION } from "../saml/encrypt-assertion.js";
import { samlInstant } from "../saml/saml-time.js";
import { encodePostMessage } from "../saml/post-binding.js";
import { BINDING, NS, STATUS } from "../saml/namespaces.js";
import { autoPostPage, STYLESHEET } from "../http/pages.js";
import type { DemoBreakage } from "./demo-scenarios.js";

const STATIC_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "http", "static");

export interface BrokerRequest {
  id: string;
  relayState: string | undefined;
  requesterId: string | undefined;
  requestedClassRefs: string[];
}

export interface DemoSubject {
  nameId: string;
  nameIdFormat: string;
  authnContextClassRef: string;
  attributes: OutgoingAttribute[];
}

/** The auto-submit script and stylesheet the demo pages share with the broker. */
export function serveDemoAssets(app: express.Express): void {
  app.get("/static/autosubmit.js", (_req, res) => res.type("application/javascript").sendFile(join(STATIC_DIR, "autosubmit.js")));
  app.get("/static/broker.css", (_req, res) => res.type("text/css").send(STYLESHEET));
}

/** Reads the broker's HTTP-Redirect AuthnRequest and checks its signature with the broker's metadata key. */
export function readBrokerRequest(originalUrl: string, broker: SpMetadata): BrokerRequest {
  const rawQuery = originalUrl.slice(originalUrl.indexOf("?") + 1);
  const message = decodeRedirect(rawQuery, { maxEncodedBytes: 64_000, maxInflatedBytes: 64_000, maxRelayStateBytes: 1024 });
  verifyRedirectSignature(message, broker.signingCertificates, { allowSha1: false });
  const root = parseXml(message.xml).documentElement;
  const request = readAuthnRequest(root);
  if (request.issuer !== broker.entityId) throw new Error("AuthnRequest is not from the broker");
  const requester = root.getElementsByTagNameNS(NS.samlp, "RequesterID")[0];
  return { id: request.id, relayState: message.relayState, requesterId: requester?.textContent ?? undefined, requestedClassRefs: request.requestedClassRefs };
}

/** A random key for a request waiting on the login form. */
export function pendingKey(): string {
  return randomBytes(16).toString("hex");
}

/** Answers the broker: a signed assertion about `subject`, encrypted to the broker, auto-posted to its ACS. */
export async function answerBroker(
  res: express.Response,
  party: { entityId: string; signing: KeyMaterial },
  broker: SpMetadata,
  request: Pick<BrokerRequest, "id" | "relayState">,
  subject: DemoSubject,
  breakage: DemoBreakage = {},
): Promise<void> {
  const acs = broker.assertionConsumerServices.find((s) => s.binding === BINDING.post);
  const encryptionCert = broker.encryptionCertificates[0];
  if (!acs || !encryptionCert) {
    res.status(500).type("text").send("Broker metadata lacks an ACS or an encryption certificate.");
    return;
  }
  // An expired assertion (a demo scenario): issued as if an hour ago, its validity over before it arrives.
  const now = Date.now() - (breakage.expired ? 3_600_000 : 0);
  const assertionId = `_${randomBytes(20).toString("hex")}`;
  const assertion = buildAssertion({
    id: assertionId,
    issueInstant: samlInstant(now),
    issuer: party.entityId,
    nameId: subject.nameId,
    nameIdFormat: subject.nameIdFormat,
    audience: broker.entityId,
    recipient: acs.location,
    inResponseTo: request.id,
    notBefore: samlInstant(now - 5_000),
    notOnOrAfter: samlInstant(now + 300_000),
    authnInstant: samlInstant(now),
    sessionIndex: `_${randomBytes(8).toString("hex")}`,
    authnContextClassRef: subject.authnContextClassRef,
    authenticatingAuthorities: [],
    attributes: subject.attributes,
  });
  const signed = signEnveloped(assertion, assertionId, true, { key: party.signing });
  const encrypted = breakage.status ? undefined : await encryptAssertion(signed, encryptionCert, OIOSAML3_ENCRYPTION);
  const xml = buildResponse({
    id: `_${randomBytes(20).toString("hex")}`,
    issueInstant: samlInstant(now),
    issuer: party.entityId,
    destination: acs.location,
    inResponseTo: request.id,
    status: breakage.status?.status ?? STATUS.success,
    ...(breakage.status?.subStatus ? { subStatus: breakage.status.subStatus } : {}),
    ...(breakage.status ? { statusMessage: breakage.status.message } : {}),
    ...(encrypted ? { assertionXml: encrypted } : {}),
  });
  res.setHeader("Content-Security-Policy", `default-src 'none'; script-src 'self'; style-src 'self'; form-action ${new URL(acs.location).origin}`);
  const fields: Record<string, string> = { SAMLResponse: encodePostMessage(xml) };
  if (request.relayState !== undefined) fields["RelayState"] = request.relayState;
  res.type("html").send(autoPostPage(acs.location, fields));
}
