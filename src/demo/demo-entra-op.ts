/**
 * The demo's Entra ID-like municipality over OpenID Connect: an OpenID
 * Provider (node-oidc-provider) that logs its users in with a button per
 * user and issues Entra-shaped ID tokens (oid, upn, name, email, groups,
 * amr, tid) and no privileges. The broker is its one client.
 */
import express from "express";
import { generateKeyPairSync } from "node:crypto";
import Provider, { type Configuration } from "oidc-provider";
import { layout, STYLESHEET } from "../http/pages.js";
import { html } from "../http/html.js";
import { storeAdapterFactory } from "../frontends/oidc-op/store-adapter.js";
import { MemoryStore } from "../store/memory-store.js";

export interface EntraUser {
  username: string;
  oid: string;
  upn: string;
  name: string;
  givenName: string;
  familyName: string;
  groups: string[];
  /** Whether the user signed in with MFA (amr: mfa). */
  mfa: boolean;
}

export interface DemoEntraOpOptions {
  issuer: string;
  tenant: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  users: readonly EntraUser[];
  cookieSecret: string;
}

export function createDemoEntraOp(options: DemoEntraOpOptions): express.Express {
  const byUsername = new Map(options.users.map((u) => [u.username, u]));
  const byOid = new Map(options.users.map((u) => [u.oid, u]));
  const signingKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });
  const configuration: Configuration = {
    // The broker's own storage adapter on a memory store of the demo OP's own.
    adapter: storeAdapterFactory(new MemoryStore({ maxBytes: 16 * 1024 * 1024 })),
    jwks: { keys: [{ ...signingKey, kid: "nord-demo-1", use: "sig", alg: "RS256" }] } as Configuration["jwks"],
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: [options.redirectUri],
        // The broker's return address after a Single Logout (RP-initiated logout at this OP).
        post_logout_redirect_uris: [options.redirectUri.replace(/\/callback$/, "/logged-out")],
        response_types: ["code"],
        grant_types: ["authorization_code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    claims: { openid: ["sub", "oid", "upn", "preferred_username", "name", "given_name", "family_name", "email", "groups", "tid", "amr"] },
    conformIdTokenClaims: false,
    cookies: { keys: [options.cookieSecret], names: { session: "nord_session", interaction: "nord_interaction", resume: "nord_resume" } },
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const user = byOid.get(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        claims: () => ({
          sub,
          oid: user.oid,
          upn: user.upn,
          preferred_username: user.upn,
          name: user.name,
          given_name: user.givenName,
          family_name: user.familyName,
          email: user.upn,
          groups: user.groups,
          tid: options.tenant,
        }),
      };
    },
  };
  const provider = new Provider(options.issuer, configuration);
  const app = express();
  app.disable("x-powered-by");
  app.get("/static/broker.css", (_req, res) => res.type("text/css").send(STYLESHEET));
  app.get("/interaction/:uid", async (req, res) => {
    const details = await provider.interactionDetails(req, res);
    res.type("html").send(
      layout(
        "Nord Kommune (Entra ID)",
        html`<h1>Nord Kommune</h1><p class="muted">Microsoft Entra ID (demo) · OpenID Connect</p>
<form method="post" action="/interaction/${details.uid}/login"><ul class="choices">${options.users.map(
          (u) => html`<li><button type="submit" name="user" value="${u.username}">${u.name}</button> <span class="muted">${u.mfa ? "MFA" : "password"}</span></li>`,
        )}</ul></form>`,
      ),
    );
  });
  app.post("/interaction/:uid/login", express.urlencoded({ extended: false, limit: "4kb" }), async (req, res) => {
    const details = await provider.interactionDetails(req, res);
    const user = byUsername.get(String((req.body as Record<string, unknown>)["user"] ?? ""));
    if (!user) {
      await provider.interactionFinished(req, res, { error: "access_denied", error_description: "unknown user" }, { mergeWithLastSubmission: false });
      return;
    }
    const grant = new provider.Grant({ accountId: user.oid, clientId: String(details.params["client_id"]) });
    grant.addOIDCScope(String(details.params["scope"] ?? "openid"));
    const grantId = await grant.save();
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: user.oid, amr: user.mfa ? ["pwd", "mfa"] : ["pwd"] }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
  });
  app.use(provider.callback());
  return app;
}
