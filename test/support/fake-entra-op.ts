/**
 * A scriptable OpenID Provider for the OIDC-upstream refusal tests: real
 * HTTP, real JOSE (jose), and an ID token the test shapes for each case
 * (issuer, audience, tenant, expiry, nonce, algorithm, signing key, kid).
 * The authorization endpoint answers at once (no login page): the person
 * is whoever the next token says.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { SignJWT, UnsecuredJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from "jose";

export interface SigningKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function newSigningKey(kid: string): Promise<SigningKey> {
  const pair = await generateKeyPair("RS256", { extractable: true });
  return { privateKey: pair.privateKey as CryptoKey, publicJwk: { ...(await exportJWK(pair.publicKey)), kid, use: "sig", alg: "RS256" } };
}

/** How the next ID token is made. Claims given here override the normal ones; `null` removes one. */
export interface TokenScript {
  claims?: Record<string, unknown>;
  alg?: "RS256" | "none" | "HS256";
  /** Sign with this key instead of the published one (its kid goes in the header). */
  key?: SigningKey;
  /** HS256 secret. */
  secret?: Uint8Array;
  /** Answer the token request with this OAuth error instead. */
  tokenError?: string;
}

export interface FakeEntraOp {
  issuer: string;
  tenant: string;
  clientId: string;
  clientSecret: string;
  /** The keys /jwks publishes (replace to roll keys). */
  published: SigningKey[];
  /** The key tokens are signed with by default. */
  signing: SigningKey;
  next: TokenScript;
  /** Answer the authorization request with this error instead of a code. */
  authorizeError: string | undefined;
  /** Requests to /jwks so far. */
  jwksFetches: number;
  /** Every authorization request's parameters. */
  authorizations: URLSearchParams[];
  close(): Promise<void>;
}

export async function startFakeEntraOp(): Promise<FakeEntraOp> {
  const signing = await newSigningKey("op-key-1");
  const codes = new Map<string, { nonce: string; redirectUri: string }>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void handle(req.method ?? "GET", new URL(req.url ?? "/", op.issuer), Buffer.concat(chunks).toString("utf8"), req.headers.authorization).then(
        ({ status, headers, body }) => res.writeHead(status, headers).end(body),
        (error: unknown) => res.writeHead(500).end(String(error)),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const op: FakeEntraOp = {
    issuer,
    tenant: "11111111-2222-4333-8444-555555555555",
    clientId: "broker-at-fake-entra",
    clientSecret: "fake-entra-client-secret-0123456789abcdef",
    published: [signing],
    signing,
    next: {},
    authorizeError: undefined,
    jwksFetches: 0,
    authorizations: [],
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };

  const json = (status: number, body: unknown) => ({ status, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  async function idToken(nonce: string): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      iss: op.issuer,
      aud: op.clientId,
      sub: "pairwise-sub-of-nora",
      oid: "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
      tid: op.tenant,
      upn: "nora@fake-entra.example",
      name: "Nora Fake",
      given_name: "Nora",
      family_name: "Fake",
      amr: ["pwd", "mfa"],
      nonce,
      iat: now,
      nbf: now,
      exp: now + 600,
      ...op.next.claims,
    };
    for (const [name, value] of Object.entries(claims)) if (value === null) delete claims[name];
    const script = op.next;
    if (script.alg === "none") return new UnsecuredJWT(claims).encode();
    if (script.alg === "HS256") return new SignJWT(claims).setProtectedHeader({ alg: "HS256", kid: op.signing.publicJwk.kid! }).sign(script.secret ?? randomBytes(32));
    const key = script.key ?? op.signing;
    return new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: key.publicJwk.kid! }).sign(key.privateKey);
  }

  async function handle(method: string, url: URL, body: string, authorization: string | undefined) {
    switch (url.pathname) {
      case "/.well-known/openid-configuration":
        return json(200, {
          issuer: op.issuer,
          authorization_endpoint: `${op.issuer}/authorize`,
          token_endpoint: `${op.issuer}/token`,
          jwks_uri: `${op.issuer}/jwks`,
          response_types_supported: ["code"],
          subject_types_supported: ["pairwise"],
          id_token_signing_alg_values_supported: ["RS256"],
          code_challenge_methods_supported: ["S256"],
          token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        });
      case "/jwks":
        op.jwksFetches += 1;
        return json(200, { keys: op.published.map((k) => k.publicJwk) });
      case "/authorize": {
        op.authorizations.push(url.searchParams);
        const redirect = new URL(url.searchParams.get("redirect_uri") ?? "");
        redirect.searchParams.set("state", url.searchParams.get("state") ?? "");
        redirect.searchParams.set("iss", op.issuer);
        if (op.authorizeError) {
          redirect.searchParams.set("error", op.authorizeError);
        } else {
          const code = randomBytes(16).toString("base64url");
          codes.set(code, { nonce: url.searchParams.get("nonce") ?? "", redirectUri: redirect.origin + redirect.pathname });
          redirect.searchParams.set("code", code);
        }
        return { status: 303, headers: { location: redirect.href }, body: "" };
      }
      case "/token": {
        if (method !== "POST") return json(405, { error: "invalid_request" });
        // RFC 6749 2.3.1: id and secret are form-urlencoded before the Basic encoding.
        const [id = "", secret = ""] = Buffer.from((authorization ?? "").replace(/^Basic /, ""), "base64")
          .toString("utf8")
          .split(":")
          .map((part) => decodeURIComponent(part.replace(/\+/g, " ")));
        if (id !== op.clientId || secret !== op.clientSecret) return json(401, { error: "invalid_client" });
        const form = new URLSearchParams(body);
        const code = codes.get(form.get("code") ?? "");
        codes.delete(form.get("code") ?? "");
        if (!code || !form.get("code_verifier")) return json(400, { error: "invalid_grant" });
        if (op.next.tokenError) return json(400, { error: op.next.tokenError });
        return json(200, { access_token: randomBytes(16).toString("base64url"), token_type: "Bearer", expires_in: 600, id_token: await idToken(code.nonce) });
      }
      default:
        return json(404, { error: "not_found" });
    }
  }
  return op;
}
