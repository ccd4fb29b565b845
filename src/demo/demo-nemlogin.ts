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
import { mountDemoIdpLogout } from "./demo-logout.js";
import type { KeyMaterial } from "../keys/key-material.js";
import type { SpMetadata } from "../saml/metadata-reader.js";
import type { OutgoingAttribute } from "../saml/response-builder.js";
import { NAMEID_FORMAT } from "../saml/namespaces.js";
import { OIOSAML3, SPEC_VERSION_OIOSAML3 } from "../profiles/oiosaml3-attributes.js";
import { nsisClassRef, type NsisLevel } from "../profiles/levels.js";
import { layout } from "../http/pages.js";
import { html } from "../http/html.js";
import { answerBroker, pendingKey, readBrokerRequest, serveDemoAssets, type BrokerRequest } from "./demo-upstream.js";

/** One MitID Erhverv identity the demo NemLog-in can log in. */
export interface DemoMitIdIdentity {
  key: string;
  label: string;
  uuid: string;
  cvr: string;
  orgName: string;
  fullName: string;
  loa: NsisLevel;
  /** A made-up CPR number (NemLog-in sends one to systems allowed it). */
  cpr?: string | undefined;
}

export interface DemoNemLogInOptions {
  entityId: string;
  baseUrl: string;
  signing: KeyMaterial;
  /** The broker as SP, from its published metadata. */
  broker: () => SpMetadata;
  identities: DemoMitIdIdentity[];
}

export function createDemoNemLogIn(options: DemoNemLogInOptions): express.Express {
  const app = express();
  const pending = new Map<string, BrokerRequest>();
  app.use(express.urlencoded({ extended: false, limit: "64kb" }));
  serveDemoAssets(app);
  mountDemoIdpLogout(app, options, () => options.broker());

  app.get("/sso", (req, res) => {
    try {
      const request = readBrokerRequest(req.originalUrl, options.broker());
      const key = pendingKey();
      pending.set(key, request);
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
    await answerBroker(res, options, options.broker(), request, {
      nameId: `https://data.gov.dk/model/core/eid/professional/uuid/${identity.uuid}`,
      nameIdFormat: NAMEID_FORMAT.persistent,
      authnContextClassRef: nsisClassRef(identity.loa),
      attributes: identityAttributes(identity),
    });
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
    ...(identity.cpr ? [{ name: OIOSAML3.cprNumber, values: [identity.cpr] }] : []),
  ];
}
