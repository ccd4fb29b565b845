/**
 * The demo municipality's IdP: a login form with test users, speaking real
 * signed and encrypted SAML (OIOSAML 3 attributes, OIO-BPP privileges) to the
 * broker, exactly as an outside IdP would. Not for production use.
 */
import express from "express";
import { randomBytes } from "node:crypto";
import type { KeyMaterial } from "../keys/key-material.js";
import type { SpMetadata } from "../saml/metadata-reader.js";
import { decodeRedirect, verifyRedirectSignature } from "../saml/redirect-binding.js";
import { parseXml } from "../saml/xml-parser.js";
import { readAuthnRequest } from "../saml/authn-request.js";
import { buildAssertion, buildResponse, type OutgoingAttribute } from "../saml/response-builder.js";
import { signEnveloped } from "../saml/sign.js";
import { encryptAssertion, OIOSAML3_ENCRYPTION } from "../saml/encrypt-assertion.js";
import { samlInstant } from "../saml/saml-time.js";
import { encodePostMessage } from "../saml/post-binding.js";
import { BINDING, NAMEID_FORMAT, STATUS } from "../saml/namespaces.js";
import { OIOSAML3, LEGACY, SPEC_VERSION_OIOSAML3 } from "../profiles/oiosaml3-attributes.js";
import { nistClassRef, nsisClassRef } from "../profiles/levels.js";
import { DEMO_CVR, DEMO_USERS, privilegesBase64, type DemoUser } from "./demo-users.js";
import { autoPostPage, layout } from "../http/pages.js";
import { html } from "../http/html.js";
import { STYLESHEET } from "../http/pages.js";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

export interface DemoIdpOptions {
  entityId: string;
  baseUrl: string;
  signing: KeyMaterial;
  /** The broker as SP, from its published metadata. */
  broker: () => SpMetadata;
  cvr?: string;
  /** The municipality's name (heading, orgName). Default "Demo Kommune". */
  name?: string;
  /** The users offered on the login form. Default: Demo Kommune's. */
  users?: DemoUser[];
  /** Send the users' privileges (OIO-BPP). An IdP like Entra ID sends none: false. */
  sendPrivileges?: boolean;
  /** Further attributes per user (an Entra-like IdP's UPN and group claims). */
  extraAttributes?: (user: DemoUser) => OutgoingAttribute[];
}

interface PendingRequest {
  id: string;
  relayState: string | undefined;
  requesterId: string | undefined;
}

const STATIC_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "http", "static");

export function createDemoIdp(options: DemoIdpOptions): express.Express {
  const app = express();
  const pending = new Map<string, PendingRequest>();
  const cvr = options.cvr ?? DEMO_CVR;
  const name = options.name ?? "Demo Kommune";
  const users = options.users ?? DEMO_USERS;
  app.use(express.urlencoded({ extended: false, limit: "64kb" }));
  app.get("/static/autosubmit.js", (_req, res) => res.type("application/javascript").sendFile(join(STATIC_DIR, "autosubmit.js")));
  app.get("/static/broker.css", (_req, res) => res.type("text/css").send(STYLESHEET));

  app.get("/sso", (req, res) => {
    try {
      const rawQuery = req.originalUrl.slice(req.originalUrl.indexOf("?") + 1);
      const message = decodeRedirect(rawQuery, { maxEncodedBytes: 64_000, maxInflatedBytes: 64_000, maxRelayStateBytes: 1024 });
      const broker = options.broker();
      verifyRedirectSignature(message, broker.signingCertificates, { allowSha1: false });
      const request = readAuthnRequest(parseXml(message.xml).documentElement);
      if (request.issuer !== broker.entityId) throw new Error("AuthnRequest is not from the broker");
      const key = randomBytes(16).toString("hex");
      const scoping = parseXml(message.xml).documentElement.getElementsByTagNameNS("urn:oasis:names:tc:SAML:2.0:protocol", "RequesterID")[0];
      pending.set(key, { id: request.id, relayState: message.relayState, requesterId: scoping?.textContent ?? undefined });
      res.type("html").send(
        layout(
          `${name} – log ind`,
          html`<h1>${name}</h1><p>Log ind som en af demo-brugerne. / Log in as one of the demo users.</p>
${request.requestedClassRefs.length > 0 ? html`<p class="muted">Systemet beder om / the system asks for: <code>${request.requestedClassRefs.join(", ")}</code></p>` : ""}
${pending.get(key)?.requesterId ? html`<p class="muted">Fagsystem: <code>${pending.get(key)?.requesterId ?? ""}</code></p>` : ""}
<form method="post" action="/login"><input type="hidden" name="request" value="${key}">
<ul class="choices">${users.map(
            (u) => html`<li><button type="submit" name="user" value="${u.username}">${u.fullName}</button> <span class="muted">${u.nsis ? `NSIS ${u.nsis}` : `NIST ${u.nist ?? "-"}`}</span></li>`,
          )}</ul></form>`,
        ),
      );
    } catch (error) {
      res.status(400).type("text").send(`Demo IdP rejected the request: ${(error as Error).message}`);
    }
  });

  app.post("/login", async (req, res) => {
    const body = req.body as Record<string, string>;
    const request = pending.get(body["request"] ?? "");
    const user = users.find((u) => u.username === body["user"]);
    if (!request || !user) {
      res.status(400).type("text").send("Unknown login request or user.");
      return;
    }
    pending.delete(body["request"] ?? "");
    const broker = options.broker();
    const acs = broker.assertionConsumerServices.find((s) => s.binding === BINDING.post);
    const encryptionCert = broker.encryptionCertificates[0];
    if (!acs || !encryptionCert) {
      res.status(500).type("text").send("Broker metadata lacks an ACS or an encryption certificate.");
      return;
    }
    const xml = await demoResponse(options, cvr, user, request, broker.entityId, acs.location, encryptionCert);
    res.setHeader("Content-Security-Policy", `default-src 'none'; script-src 'self'; style-src 'self'; form-action ${new URL(acs.location).origin}`);
    const fields: Record<string, string> = { SAMLResponse: encodePostMessage(xml) };
    if (request.relayState !== undefined) fields["RelayState"] = request.relayState;
    res.type("html").send(autoPostPage(acs.location, fields));
  });
  return app;
}

function userAttributes(options: DemoIdpOptions, user: DemoUser, cvr: string): OutgoingAttribute[] {
  const attributes: OutgoingAttribute[] = [
    { name: OIOSAML3.specVersion, values: [SPEC_VERSION_OIOSAML3] },
    { name: OIOSAML3.kombitSpecVer, values: ["2.0"] },
    { name: OIOSAML3.cvr, values: [cvr] },
    { name: OIOSAML3.orgName, values: [options.name ?? "Demo Kommune"] },
    { name: OIOSAML3.uuidPersistent, values: [user.uuid] },
    { name: OIOSAML3.email, values: [user.email] },
    { name: OIOSAML3.firstName, values: [user.firstName] },
    { name: OIOSAML3.lastName, values: [user.lastName] },
    { name: OIOSAML3.fullName, values: [user.fullName] },
  ];
  if (options.sendPrivileges !== false) attributes.push({ name: OIOSAML3.privilegesIntermediate, values: [privilegesBase64(user, cvr)] });
  attributes.push(...(options.extraAttributes?.(user) ?? []));
  if (user.nsis) attributes.push({ name: OIOSAML3.loa, values: [user.nsis] });
  if (user.nist) attributes.push({ name: LEGACY.assuranceLevel, values: [String(user.nist)] });
  return attributes;
}

async function demoResponse(
  options: DemoIdpOptions,
  cvr: string,
  user: DemoUser,
  request: PendingRequest,
  audience: string,
  acsUrl: string,
  encryptionCert: string,
): Promise<string> {
  const now = Date.now();
  const assertionId = `_${randomBytes(20).toString("hex")}`;
  const assertion = buildAssertion({
    id: assertionId,
    issueInstant: samlInstant(now),
    issuer: options.entityId,
    nameId: `C=DK,O=${cvr},CN=${user.fullName},Serial=${user.uuid}`,
    nameIdFormat: NAMEID_FORMAT.x509SubjectName,
    audience,
    recipient: acsUrl,
    inResponseTo: request.id,
    notBefore: samlInstant(now - 5_000),
    notOnOrAfter: samlInstant(now + 300_000),
    authnInstant: samlInstant(now),
    sessionIndex: `_${randomBytes(8).toString("hex")}`,
    authnContextClassRef: user.nsis ? nsisClassRef(user.nsis) : nistClassRef(user.nist ?? 2),
    authenticatingAuthorities: [],
    attributes: userAttributes(options, user, cvr),
  });
  const signed = signEnveloped(assertion, assertionId, true, { key: options.signing });
  const encrypted = await encryptAssertion(signed, encryptionCert, OIOSAML3_ENCRYPTION);
  return buildResponse({
    id: `_${randomBytes(20).toString("hex")}`,
    issueInstant: samlInstant(now),
    issuer: options.entityId,
    destination: acsUrl,
    inResponseTo: request.id,
    status: STATUS.success,
    assertionXml: encrypted,
  });
}
