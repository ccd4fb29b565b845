/**
 * The demo's NemLog-in: a separate party on its own port that plays MitID
 * Erhverv for step-up. It reads the broker's signed AuthnRequest, offers a
 * few MitID Erhverv identities (the right person, too low a level, another
 * person, another organisation) and answers with real OIOSAML 3: a persistent
 * professional NameID, the NSIS level, CVR and professional UUID, the
 * assertion signed with its own key and encrypted to the broker. Registered
 * with the broker by its metadata, as the real NemLog-in is. Not for
 * production use.
 */
import express from "express";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
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
import { OIOSAML3, SPEC_VERSION_OIOSAML3 } from "../profiles/oiosaml3-attributes.js";
import { nsisClassRef, type NsisLevel } from "../profiles/levels.js";
import { autoPostPage, layout, STYLESHEET } from "../http/pages.js";
import { html } from "../http/html.js";

/** One MitID Erhverv identity the demo NemLog-in can log in. */
export interface DemoMitIdIdentity {
  key: string;
  label: string;
  uuid: string;
  cvr: string;
  orgName: string;
  fullName: string;
  loa: NsisLevel;
}

export interface DemoNemLogInOptions {
  entityId: string;
  baseUrl: string;
  signing: KeyMaterial;
  /** The broker as SP, from its published metadata. */
  broker: () => SpMetadata;
  identities: DemoMitIdIdentity[];
}

interface PendingRequest {
  id: string;
  relayState: string | undefined;
}

const STATIC_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "http", "static");

export function createDemoNemLogIn(options: DemoNemLogInOptions): express.Express {
  const app = express();
  const pending = new Map<string, PendingRequest>();
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
      pending.set(key, { id: request.id, relayState: message.relayState });
      res.type("html").send(
        layout(
          "NemLog-in (demo) – MitID Erhverv",
          html`<h1>NemLog-in (demo)</h1><p>Systemet kræver et højere sikringsniveau. Log ind med MitID Erhverv. / The system requires a higher assurance level. Log in with MitID Erhverv.</p>
${request.requestedClassRefs.length > 0 ? html`<p class="muted">Brokeren beder om / the broker asks for: <code>${request.requestedClassRefs.join(", ")}</code></p>` : ""}
<form method="post" action="/login"><input type="hidden" name="request" value="${key}">
<ul class="choices">${options.identities.map(
            (identity) => html`<li><button type="submit" name="identity" value="${identity.key}">${identity.label}</button> <span class="muted">NSIS ${identity.loa}, CVR ${identity.cvr}</span></li>`,
          )}</ul></form>`,
        ),
      );
    } catch (error) {
      res.status(400).type("text").send(`Demo NemLog-in rejected the request: ${(error as Error).message}`);
    }
  });

  app.post("/login", async (req, res) => {
    const body = req.body as Record<string, string>;
    const request = pending.get(body["request"] ?? "");
    const identity = options.identities.find((i) => i.key === body["identity"]);
    if (!request || !identity) {
      res.status(400).type("text").send("Unknown login request or identity.");
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
    const xml = await nemLogInResponse(options, identity, request, broker.entityId, acs.location, encryptionCert);
    res.setHeader("Content-Security-Policy", `default-src 'none'; script-src 'self'; style-src 'self'; form-action ${new URL(acs.location).origin}`);
    const fields: Record<string, string> = { SAMLResponse: encodePostMessage(xml) };
    if (request.relayState !== undefined) fields["RelayState"] = request.relayState;
    res.type("html").send(autoPostPage(acs.location, fields));
  });
  return app;
}

function identityAttributes(identity: DemoMitIdIdentity): OutgoingAttribute[] {
  return [
    { name: OIOSAML3.specVersion, values: [SPEC_VERSION_OIOSAML3] },
    { name: OIOSAML3.loa, values: [identity.loa] },
    { name: OIOSAML3.cvr, values: [identity.cvr] },
    { name: OIOSAML3.orgName, values: [identity.orgName] },
    { name: OIOSAML3.uuidPersistent, values: [identity.uuid] },
    { name: OIOSAML3.fullName, values: [identity.fullName] },
  ];
}

async function nemLogInResponse(
  options: DemoNemLogInOptions,
  identity: DemoMitIdIdentity,
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
    nameId: `https://data.gov.dk/model/core/eid/professional/uuid/${identity.uuid}`,
    nameIdFormat: NAMEID_FORMAT.persistent,
    audience,
    recipient: acsUrl,
    inResponseTo: request.id,
    notBefore: samlInstant(now - 5_000),
    notOnOrAfter: samlInstant(now + 300_000),
    authnInstant: samlInstant(now),
    sessionIndex: `_${randomBytes(8).toString("hex")}`,
    authnContextClassRef: nsisClassRef(identity.loa),
    authenticatingAuthorities: [],
    attributes: identityAttributes(identity),
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
