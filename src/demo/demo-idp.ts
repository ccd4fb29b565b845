/**
 * The demo municipality's IdP: a login form with test users, speaking real
 * signed and encrypted SAML (OIOSAML 3 attributes, OIO-BPP privileges) to the
 * broker, exactly as an outside IdP would; on the same page, answers broken
 * on purpose (demo-scenarios.ts) for testing a fagsystem's error handling.
 * Not for production use.
 */
import express from "express";
import type { KeyMaterial } from "../keys/key-material.js";
import type { SpMetadata } from "../saml/metadata-reader.js";
import type { OutgoingAttribute } from "../saml/response-builder.js";
import { NAMEID_FORMAT } from "../saml/namespaces.js";
import { OIOSAML3, LEGACY, SPEC_VERSION_OIOSAML3 } from "../profiles/oiosaml3-attributes.js";
import { nistClassRef, nsisClassRef } from "../profiles/levels.js";
import { DEMO_CVR, DEMO_USERS, privilegesBase64, type DemoUser } from "./demo-users.js";
import { layout } from "../http/pages.js";
import { html } from "../http/html.js";
import { answerBroker, pendingKey, readBrokerRequest, serveDemoAssets, type BrokerRequest } from "./demo-upstream.js";
import { mountDemoIdpLogout } from "./demo-logout.js";
import { DEMO_SCENARIOS, demoScenario } from "./demo-scenarios.js";

export interface DemoIdpOptions {
  entityId: string;
  baseUrl: string;
  signing: KeyMaterial;
  /** The broker as SP, from its published metadata. */
  broker: () => SpMetadata;
  cvr?: string;
  /** The municipality's name (heading, orgName). Default "Demo Kommune". */
  name?: string;
  /** The users offered on the login form, asked on every page (the users file may change). Default: Demo Kommune's as shipped. */
  users?: DemoUser[] | (() => DemoUser[]);
  /** Send the users' privileges (OIO-BPP). An IdP like Entra ID sends none: false. */
  sendPrivileges?: boolean;
  /** Further attributes per user (an Entra-like IdP's UPN and group claims). */
  extraAttributes?: (user: DemoUser) => OutgoingAttribute[];
  /** Changes the attributes as sent (a misconfigured IdP's mistakes: a missing attribute, another NameFormat). */
  adjustAttributes?: (attributes: OutgoingAttribute[]) => OutgoingAttribute[];
}

export function createDemoIdp(options: DemoIdpOptions): express.Express {
  const app = express();
  const pending = new Map<string, BrokerRequest>();
  const cvr = options.cvr ?? DEMO_CVR;
  const name = options.name ?? "Demo Kommune";
  const listed = options.users ?? DEMO_USERS;
  const currentUsers = typeof listed === "function" ? listed : () => listed;
  app.use(express.urlencoded({ extended: false, limit: "64kb" }));
  serveDemoAssets(app);
  mountDemoIdpLogout(app, options, () => options.broker());

  app.get("/sso", (req, res) => {
    try {
      const request = readBrokerRequest(req.originalUrl, options.broker());
      const users = currentUsers();
      const key = pendingKey();
      pending.set(key, request);
      res.type("html").send(
        layout(
          `${name} – log ind`,
          html`<h1>${name}</h1><p>Log ind som en af demo-brugerne. / Log in as one of the demo users.</p>
${request.requestedClassRefs.length > 0 ? html`<p class="muted">Systemet beder om / the system asks for: <code>${request.requestedClassRefs.join(", ")}</code></p>` : ""}
${request.requesterId ? html`<p class="muted">Fagsystem: <code>${request.requesterId}</code></p>` : ""}
<form method="post" action="/login"><input type="hidden" name="request" value="${key}">
<p><label for="scenario">Svar / Answer</label> <span class="muted">(til test af fagsystemets fejlhåndtering / to test the fagsystem's error handling)</span><br>
<select id="scenario" name="scenario">${DEMO_SCENARIOS.map((s) => html`<option value="${s.key}">${s.label}</option>`)}</select></p>
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
    const listed = currentUsers().find((u) => u.username === body["user"]);
    const scenario = demoScenario(body["scenario"]);
    if (!request || !listed || !scenario) {
      res.status(400).type("text").send("Unknown login request, user or scenario.");
      return;
    }
    pending.delete(body["request"] ?? "");
    // A scenario broken on purpose may say something else about the user (level, privileges) or break the answer itself.
    const user = scenario.user ? scenario.user(listed) : listed;
    await answerBroker(
      res,
      options,
      options.broker(),
      request,
      {
        nameId: `C=DK,O=${cvr},CN=${user.fullName},Serial=${user.uuid}`,
        nameIdFormat: NAMEID_FORMAT.x509SubjectName,
        authnContextClassRef: user.nsis ? nsisClassRef(user.nsis) : nistClassRef(user.nist ?? 2),
        attributes: (options.adjustAttributes ?? ((a: OutgoingAttribute[]) => a))(userAttributes(options, user, cvr)),
      },
      scenario.breakage,
    );
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
  if (user.cpr) attributes.push({ name: OIOSAML3.cprNumber, values: [user.cpr] });
  attributes.push(...(options.extraAttributes?.(user) ?? []));
  if (user.nsis) attributes.push({ name: OIOSAML3.loa, values: [user.nsis] });
  if (user.nist) attributes.push({ name: LEGACY.assuranceLevel, values: [String(user.nist)] });
  return attributes;
}
