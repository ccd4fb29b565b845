/**
 * The demo OIDC fagsystem: a web app that logs in through the broker with
 * openid-client (authorization code, PKCE S256, private_key_jwt), receives
 * an encrypted ID token, shows the claims and the user-system roles, and
 * logs out through the broker. Its keys are made at start and published at
 * /jwks, which the broker reads (the client's `jwksUri`).
 */
import express from "express";
import { randomBytes } from "node:crypto";
import * as oidc from "openid-client";
import { compactDecrypt, createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, type CryptoKey } from "jose";
import { layout, STYLESHEET } from "../http/pages.js";
import { html } from "../http/html.js";
import { userSystemRoles } from "./demo-sp.js";
import { PRIVILEGES_INTERMEDIATE_CLAIM, PRIVILEGES_JSON_CLAIM } from "../profiles/oidc-claims.js";

export interface DemoOidcRpOptions {
  clientId: string;
  baseUrl: string;
  /** The broker's OIDC issuer (discovery is read on the first login). */
  issuer: string;
}

interface PendingLogin {
  codeVerifier: string;
  state: string;
  nonce: string;
}

interface LoggedIn {
  claims: Record<string, unknown>;
  refreshToken: string | undefined;
}

const SESSION_COOKIE = "demo_oidc_rp";

function rolesOf(claims: Record<string, unknown>): string[] {
  const encoded = claims[PRIVILEGES_INTERMEDIATE_CLAIM];
  return userSystemRoles(typeof encoded === "string" ? encoded : undefined);
}

function showValue(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

export async function createDemoOidcRp(options: DemoOidcRpOptions): Promise<express.Express> {
  const signing = await generateKeyPair("PS256", { extractable: true });
  const encryption = await generateKeyPair("RSA-OAEP-256", { extractable: true });
  const jwks = {
    keys: [
      { ...(await exportJWK(signing.publicKey)), kid: "demo-rp-sig", use: "sig", alg: "PS256" },
      { ...(await exportJWK(encryption.publicKey)), kid: "demo-rp-enc", use: "enc", alg: "RSA-OAEP-256" },
    ],
  };
  let configuration: oidc.Configuration | undefined;
  const config = async (): Promise<oidc.Configuration> => {
    if (!configuration) {
      const discovered = await oidc.discovery(
        new URL(options.issuer),
        options.clientId,
        { id_token_signed_response_alg: "PS256", id_token_encrypted_response_alg: "RSA-OAEP-256", id_token_encrypted_response_enc: "A256GCM" },
        oidc.PrivateKeyJwt({ key: signing.privateKey as CryptoKey, kid: "demo-rp-sig" }),
        options.issuer.startsWith("http://") ? { execute: [oidc.allowInsecureRequests] } : undefined,
      );
      oidc.enableDecryptingResponses(discovered, ["A256GCM"], { key: encryption.privateKey as CryptoKey, kid: "demo-rp-enc", alg: "RSA-OAEP-256" });
      configuration = discovered;
    }
    return configuration;
  };
  const pending = new Map<string, PendingLogin>();
  const sessions = new Map<string, LoggedIn>();
  const sessionId = (req: express.Request): string | undefined => /(?:^|;\s*)demo_oidc_rp=([A-Za-z0-9_-]+)/.exec(req.headers.cookie ?? "")?.[1];

  const app = express();
  app.disable("x-powered-by");
  app.get("/static/broker.css", (_req, res) => res.type("text/css").send(STYLESHEET));
  app.get("/jwks", (_req, res) => res.json(jwks));

  app.get("/", (req, res) => {
    const session = sessions.get(sessionId(req) ?? "");
    if (!session) {
      res.type("html").send(
        layout("Demo OIDC-fagsystem", html`<h1>Demo OIDC-fagsystem</h1><p>Logger ind gennem brokeren med OpenID Connect. / Logs in through the broker with OpenID Connect.</p><p><a href="/login">Log ind / Log in</a></p>`),
      );
      return;
    }
    const rows = Object.entries(session.claims)
      .filter(([name]) => name !== PRIVILEGES_INTERMEDIATE_CLAIM && name !== PRIVILEGES_JSON_CLAIM)
      .map(([name, value]) => html`<tr><td><code>${name}</code></td><td>${showValue(value)}</td></tr>`);
    const roles = rolesOf(session.claims).map((role) => html`<li>${role}</li>`);
    res.type("html").send(
      layout(
        "Demo OIDC-fagsystem",
        html`<h1>Logget ind / Logged in</h1><h2>Claims</h2><table>${rows}</table><h2>Roller / User-system roles</h2><ul>${roles}</ul><p><a href="/logout">Log ud / Log out</a></p>`,
      ),
    );
  });

  app.get("/login", async (_req, res) => {
    const client = await config();
    const login: PendingLogin = { codeVerifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce() };
    const id = randomBytes(16).toString("base64url");
    pending.set(id, login);
    res.cookie(SESSION_COOKIE, id, { httpOnly: true, sameSite: "lax", path: "/" });
    const url = oidc.buildAuthorizationUrl(client, {
      redirect_uri: `${options.baseUrl}/callback`,
      scope: "openid",
      code_challenge: await oidc.calculatePKCECodeChallenge(login.codeVerifier),
      code_challenge_method: "S256",
      state: login.state,
      nonce: login.nonce,
    });
    res.redirect(303, url.href);
  });

  app.get("/callback", async (req, res) => {
    const id = sessionId(req) ?? "";
    const login = pending.get(id);
    pending.delete(id);
    if (!login) {
      res.status(400).type("html").send(layout("Demo OIDC-fagsystem", html`<h1>Ukendt login / Unknown login</h1><p><a href="/">Start forfra / Start again</a></p>`));
      return;
    }
    const client = await config();
    try {
      const tokens = await oidc.authorizationCodeGrant(client, new URL(req.originalUrl, options.baseUrl), {
        pkceCodeVerifier: login.codeVerifier,
        expectedState: login.state,
        expectedNonce: login.nonce,
        idTokenExpected: true,
      });
      sessions.set(id, { claims: { ...tokens.claims() }, refreshToken: tokens.refresh_token });
      res.redirect(303, "/");
    } catch (error) {
      const detail =
        error instanceof oidc.AuthorizationResponseError || error instanceof oidc.ResponseBodyError ? `${error.error}: ${error.error_description ?? ""}` : (error as Error).message;
      res.status(400).type("html").send(layout("Demo OIDC-fagsystem", html`<h1>Login mislykkedes / Login failed</h1><p><code>${detail}</code></p><p><a href="/">Start forfra / Start again</a></p>`));
    }
  });

  app.get("/logout", async (req, res) => {
    const id = sessionId(req) ?? "";
    const session = sessions.get(id);
    sessions.delete(id);
    if (!session) {
      res.redirect(303, "/");
      return;
    }
    const client = await config();
    // The ID token arrived encrypted to this client, so the broker could not read it as a hint: the client_id names the client.
    res.redirect(303, oidc.buildEndSessionUrl(client, { client_id: options.clientId, post_logout_redirect_uri: `${options.baseUrl}/logged-out` }).href);
  });

  app.get("/logged-out", (_req, res) => {
    res.type("html").send(layout("Demo OIDC-fagsystem", html`<h1>Logget ud / Logged out</h1><p><a href="/">Log ind igen / Log in again</a></p>`));
  });

  /**
   * Back-channel logout (OpenID Connect Back-Channel Logout 1.0 §2.6): the logout token is verified with the
   * broker's published keys (issuer, audience, the logout event, no nonce) and ends the sessions with its sid.
   */
  app.post("/backchannel-logout", express.urlencoded({ extended: false, limit: "16kb" }), async (req, res) => {
    try {
      const client = await config();
      const metadata = client.serverMetadata();
      const received = String((req.body as Record<string, unknown>)["logout_token"] ?? "");
      // Encrypted to this client like its ID tokens (id_token_encrypted_response_alg): decrypt, then verify the signed token inside.
      const token = received.split(".").length === 5 ? new TextDecoder().decode((await compactDecrypt(received, encryption.privateKey as CryptoKey)).plaintext) : received;
      const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(String(metadata.jwks_uri))), { issuer: metadata.issuer, audience: options.clientId, typ: "logout+jwt" });
      const events = payload["events"] as Record<string, unknown> | undefined;
      if (!events || !("http://schemas.openid.net/event/backchannel-logout" in events) || payload["nonce"] !== undefined || typeof payload["sid"] !== "string") throw new Error("not a logout token");
      for (const [id, session] of sessions) if (session.claims["sid"] === payload["sid"]) sessions.delete(id);
      res.status(200).end();
    } catch (error) {
      res.status(400).json({ error: "invalid_request", error_description: (error as Error).message });
    }
  });

  return app;
}
