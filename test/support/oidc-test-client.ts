/**
 * An independent OIDC relying party for tests: openid-client with its own
 * keys (private_key_jwt) or a secret, a real callback server that only
 * records what arrived, and a person driving the broker's pages with the
 * HTTP browser (chooser, demo IdP, auto-POST back to the broker).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as oidc from "openid-client";
import { exportJWK, generateKeyPair, type CryptoKey, type JWK } from "jose";
import { oidcClientSchema, type OidcClientConfig } from "../../src/config/oidc-client-schema.js";
import { Browser, type Page } from "./http-browser.js";

export interface CallbackServer {
  url: string;
  /** Bodies POSTed to it (back-channel logout tokens), by path. */
  posts: Array<{ path: string; body: string }>;
  close(): Promise<void>;
}

/** A redirect_uri (and back-channel logout endpoint) that answers 200 to anything and records what was POSTed. */
export async function startCallbackServer(): Promise<CallbackServer> {
  const posts: CallbackServer["posts"] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      if (req.method === "POST") posts.push({ path: req.url ?? "", body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200, { "content-type": "text/plain" }).end("callback");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    posts,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface ClientKeys {
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function newClientKeys(kid = "test-sig"): Promise<ClientKeys> {
  const pair = await generateKeyPair("PS256", { extractable: true });
  return { privateKey: pair.privateKey as CryptoKey, publicJwk: { ...(await exportJWK(pair.publicKey)), kid, use: "sig", alg: "PS256" } };
}

/** A registration as the schema reads it (defaults applied). */
export function registration(input: Record<string, unknown>): OidcClientConfig {
  return oidcClientSchema.parse(input);
}

export interface AuthorizationStart {
  url: URL;
  codeVerifier: string;
  state: string;
  nonce: string;
}

export class TestRelyingParty {
  private configuration: oidc.Configuration | undefined;

  constructor(
    readonly issuer: string,
    readonly clientId: string,
    readonly redirectUri: string,
    private readonly auth: oidc.ClientAuth,
  ) {}

  static withKey(issuer: string, clientId: string, redirectUri: string, keys: ClientKeys): TestRelyingParty {
    return new TestRelyingParty(issuer, clientId, redirectUri, oidc.PrivateKeyJwt({ key: keys.privateKey, kid: keys.publicJwk.kid }));
  }

  async config(): Promise<oidc.Configuration> {
    if (!this.configuration) {
      this.configuration = await oidc.discovery(new URL(this.issuer), this.clientId, { id_token_signed_response_alg: "PS256" }, this.auth, { execute: [oidc.allowInsecureRequests] });
    }
    return this.configuration;
  }

  async start(extra: Record<string, string> = {}): Promise<AuthorizationStart> {
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(await this.config(), {
      redirect_uri: this.redirectUri,
      scope: "openid",
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: "S256",
      state,
      nonce,
      ...extra,
    });
    return { url, codeVerifier, state, nonce };
  }

  async redeem(start: AuthorizationStart, callbackUrl: string) {
    return oidc.authorizationCodeGrant(await this.config(), new URL(callbackUrl), {
      pkceCodeVerifier: start.codeVerifier,
      expectedState: start.state,
      expectedNonce: start.nonce,
      idTokenExpected: true,
    });
  }
}

/**
 * A person at the broker: from the authorization URL through the chooser
 * (municipality `idp`) and the demo IdP (as `user`) back to the client's
 * redirect_uri. Returns the last page (the callback, with code or error).
 */
export async function personLogsIn(browser: Browser, authorizationUrl: URL, idp: string, user: string, redirectUri: string): Promise<Page> {
  const first = await browser.follow(await browser.get(authorizationUrl.href));
  // A browser that chose before goes straight to its municipality's IdP.
  const remembered = first.body.includes(`name="user" value="${user}"`);
  if (!remembered && !first.body.includes(`value="${idp}"`)) throw new Error(`no chooser with ${idp} at ${first.url} (${first.status}): ${first.body.slice(0, 300)}`);
  const idpForm = remembered ? first : await browser.submit(first, { idp });
  return untilClient(browser, await browser.submit(await browser.submit(idpForm, { user })), redirectUri);
}

/**
 * The broker's own pages between a finished login and the client: the form
 * that posts on to the OpenID Provider, and before it, for a refusal, the
 * page that tells the person why. Submitted until the client's redirect_uri.
 */
export async function untilClient(browser: Browser, from: Page, redirectUri: string): Promise<Page> {
  let page = from;
  for (let pages = 0; !page.url.startsWith(redirectUri) && pages < 3; pages++) page = await browser.submit(page);
  return page;
}

export { Browser };
