/**
 * The demo fagsystem: sends a signed AuthnRequest to the broker and shows the
 * attributes it received in the broker's signed, encrypted assertion.
 */
import express from "express";
import { randomBytes } from "node:crypto";
import type { KeyMaterial } from "../keys/key-material.js";
import type { IdpMetadata } from "../saml/metadata-reader.js";
import { buildAuthnRequest } from "../saml/authn-request.js";
import { encodeRedirect } from "../saml/redirect-binding.js";
import { SIGNATURE_ALGORITHM } from "../saml/algorithms.js";
import { BINDING } from "../saml/namespaces.js";
import { samlInstant } from "../saml/saml-time.js";
import { decodePostMessage } from "../saml/post-binding.js";
import { readResponseEnvelope, validateResponse } from "../saml/response-validator.js";
import { DEFAULT_XML_LIMITS } from "../xml/xml-parser.js";
import { layout, STYLESHEET } from "../http/pages.js";
import { html } from "../http/html.js";
import { LEGACY, OIOSAML3 } from "../profiles/oiosaml3-attributes.js";
import { decodePrivilegesAttribute } from "../profiles/bpp-codec.js";
import { describeScope } from "../profiles/bpp.js";
import { DemoSpSessions, mountDemoSpLogout } from "./demo-sp-logout.js";

/** The user-system roles a demo fagsystem received (base64 OIO-BPP), one line each: role, scope, restrictions. */
export function userSystemRoles(encoded: string | undefined): string[] {
  if (encoded === undefined) return [];
  try {
    return decodePrivilegesAttribute(encoded).list.groups.flatMap((group) =>
      group.privileges.map((privilege) => {
        const restrictions = group.constraints.map((c) => `${c.name} = ${c.values.join(", ")}`).join("; ");
        return `${privilege} — ${describeScope(group.scope)}${restrictions ? ` — ${restrictions}` : ""}`;
      }),
    );
  } catch (error) {
    return [`(privileges could not be read: ${(error as Error).message})`];
  }
}

export interface DemoSpOptions {
  entityId: string;
  baseUrl: string;
  signing: KeyMaterial;
  encryption: KeyMaterial;
  broker: () => IdpMetadata;
  municipalityHint?: string;
  /** The page's heading and introduction (default: the demo fagsystem's). */
  title?: string;
  intro?: ReturnType<typeof html>;
  /** Other demo parties this page links to. */
  links?: () => Array<{ href: string; label: string }>;
}

const PRIVILEGE_ATTRIBUTES: readonly string[] = [OIOSAML3.privilegesIntermediate, LEGACY.privilegesIntermediate];

const FAGSYSTEM_INTRO = html`<p>Et fagsystem, der logger ind gennem brokeren. / A business system that logs in through the broker.</p>
<p><a href="/login"><button>Log ind / Log in</button></a></p>
<p class="muted">Kræver NSIS Substantial. Robotbrugeren (kun NIST) bliver derfor afvist. / Requires NSIS Substantial, so the robot user (NIST only) is refused.</p>
<p class="muted">Brokeren oversætter brugerens jobfunktionsroller til dette systems brugersystemroller. / The broker translates the user's job-function roles into this system's user-system roles.</p>`;

export function createDemoSp(options: DemoSpOptions): express.Express {
  const app = express();
  const pending = new Map<string, number>();
  const acsUrl = `${options.baseUrl}/acs`;
  app.use(express.urlencoded({ extended: false, limit: "512kb" }));
  app.get("/static/broker.css", (_req, res) => res.type("text/css").send(STYLESHEET));
  const sessions = new DemoSpSessions();
  mountDemoSpLogout(app, options, options.broker, sessions);

  const title = options.title ?? "Demo fagsystem";
  app.get("/", (_req, res) => {
    const links = options.links?.() ?? [];
    res.type("html").send(
      layout(
        title,
        html`<h1>${title}</h1>${options.intro ?? FAGSYSTEM_INTRO}
${links.length === 0 ? "" : html`<ul class="links">${links.map((l) => html`<li><a href="${l.href}">${l.label}</a></li>`)}</ul>`}`,
      ),
    );
  });

  app.get("/login", (req, res) => {
    const broker = options.broker();
    const sso = broker.singleSignOnServices.find((s) => s.binding === BINDING.redirect);
    if (!sso) {
      res.status(500).type("text").send("broker metadata has no HTTP-Redirect SSO endpoint");
      return;
    }
    const id = `_${randomBytes(20).toString("hex")}`;
    pending.set(id, Date.now());
    const xml = buildAuthnRequest({
      id,
      issueInstant: samlInstant(Date.now()),
      issuer: options.entityId,
      destination: sso.location,
      acsUrl,
      forceAuthn: req.query["force"] === "1",
      isPassive: false,
      requesterId: undefined,
      requestedClassRefs: [],
    });
    const hint = typeof req.query["municipality"] === "string" ? req.query["municipality"] : options.municipalityHint;
    const target = hint ? `${sso.location}?municipality=${encodeURIComponent(hint)}` : sso.location;
    res.redirect(303, encodeRedirect(target, "SAMLRequest", xml, "demo-relay-state", { privateKey: options.signing.privateKey, algorithm: SIGNATURE_ALGORITHM.rsaSha256 }));
  });

  app.post("/acs", async (req, res) => {
    try {
      const xml = decodePostMessage((req.body as Record<string, unknown>)["SAMLResponse"], 512 * 1024);
      const envelope = readResponseEnvelope(xml, DEFAULT_XML_LIMITS);
      const requestId = envelope.inResponseTo ?? "";
      if (!pending.delete(requestId)) throw new Error("response to a request this fagsystem did not send (or already used)");
      const broker = options.broker();
      const assertion = await validateResponse(envelope, {
        idpEntityId: broker.entityId,
        trustedCertificates: broker.signingCertificates,
        allowSha1: false,
        requireSignedAssertion: true,
        requireEncryptedAssertion: true,
        acsUrl,
        audience: options.entityId,
        requestId,
        clockSkewMs: 60_000,
        now: Date.now(),
        decryptionKeys: [options.encryption.privateKeyPem],
        limits: DEFAULT_XML_LIMITS,
        maxAttributes: 100,
        maxAttributeValues: 500,
      });
      const rows = assertion.attributes.map((a) => {
        const values = PRIVILEGE_ATTRIBUTES.includes(a.name) ? a.values.map((v) => Buffer.from(v, "base64").toString("utf8")) : a.values;
        return html`<tr><td><code>${a.name}</code></td><td>${values.map((v) => html`<pre>${v}</pre>`)}</td></tr>`;
      });
      sessions.start(res, { nameId: assertion.nameId, nameIdFormat: assertion.nameIdFormat, sessionIndex: assertion.sessionIndex });
      const roles = userSystemRoles(assertion.attributes.find((a) => PRIVILEGE_ATTRIBUTES.includes(a.name))?.values[0]);
      res.type("html").send(
        layout(
          `${title} – logget ind`,
          html`<h1>Logget ind / Logged in</h1>
<p>NameID: <code>${assertion.nameId}</code><br>SessionIndex: <code>${assertion.sessionIndex ?? ""}</code><br>Niveau / level: <code>${assertion.authnContextClassRef ?? ""}</code><br>RelayState: <code>${String((req.body as Record<string, unknown>)["RelayState"] ?? "")}</code></p>
<h2>Brugersystemroller / user-system roles</h2>
${roles.length === 0 ? html`<p class="muted">Ingen / none</p>` : html`<ul class="roles">${roles.map((r) => html`<li>${r}</li>`)}</ul>`}
<h2>Attributter / attributes</h2>
<table>${rows}</table>
<form method="post" action="/logout"><button type="submit" id="logout">Log ud / Log out</button></form>
<p class="muted">Log ud afslutter sessionen i alle systemer og hos kommunens IdP. / Logging out ends the session in every system and at the municipality's IdP.</p>
<p><a href="/">Tilbage / Back</a></p>`,
        ),
      );
    } catch (error) {
      const reason = (error as { reason?: string }).reason;
      res.status(reason === "upstream_status" ? 200 : 400).type("html").send(
        layout(`${title} – ikke logget ind`, html`<h1>Ikke logget ind / Not logged in</h1><p>${(error as Error).message}</p><p><a href="/">Tilbage / Back</a></p>`),
      );
    }
  });
  return app;
}
