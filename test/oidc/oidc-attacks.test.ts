/**
 * Bad input at the OIDC frontend gets the OAuth/OIDC error the specs name,
 * never a code, a token or a 500: code replay (and the first redemption's
 * tokens revoked), redirect_uri and PKCE abuse, forged client assertions,
 * wrong secrets, unknown clients, implicit and hybrid flows, unsigned request
 * objects, unregistered post-logout redirects, over-long and malformed
 * parameters, an ID token used as an access token.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import * as oidc from "openid-client";
import { SignJWT, UnsecuredJWT, generateKeyPair, type CryptoKey } from "jose";
import { startOidcDemo, type OidcDemo } from "../support/oidc-demo.js";
import { Browser, personLogsIn, type AuthorizationStart } from "../support/oidc-test-client.js";

interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
}

describe("OIDC frontend refusals", () => {
  let demo: OidcDemo;
  let tokenEndpoint: string;

  beforeAll(async () => {
    demo = await startOidcDemo();
    tokenEndpoint = `${demo.issuer}/token`;
  });

  afterAll(async () => {
    await demo?.stop();
  });

  async function tokenRequest(fields: Record<string, string>, headers: Record<string, string> = {}): Promise<TokenAnswer> {
    const response = await fetch(tokenEndpoint, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...headers }, body: new URLSearchParams(fields) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  /** A client assertion for test-nsis (RFC 7523), changed by `edit`. */
  async function assertion(edit: { key?: CryptoKey; alg?: string; aud?: string; exp?: number; jti?: string } = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: edit.alg ?? "PS256", kid: demo.keys.publicJwk.kid! })
      .setIssuer("test-nsis")
      .setSubject("test-nsis")
      .setAudience(edit.aud ?? demo.issuer)
      .setIssuedAt(now)
      .setExpirationTime(edit.exp ?? now + 60)
      .setJti(edit.jti ?? randomUUID())
      .sign(edit.key ?? demo.keys.privateKey);
  }

  const withAssertion = (jwt: string, code = "not-a-code") => ({
    grant_type: "authorization_code",
    code,
    redirect_uri: demo.redirectUri,
    code_verifier: "x".repeat(43),
    client_id: "test-nsis",
    client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    client_assertion: jwt,
  });

  async function codeFor(start: AuthorizationStart): Promise<string> {
    const callback = await personLogsIn(new Browser(), start.url, "demo-kommune", "hanne", demo.redirectUri);
    const code = new URL(callback.url).searchParams.get("code");
    if (!code) throw new Error(`no code: ${callback.url}`);
    return code;
  }

  describe("client authentication", () => {
    it("accepts a proper assertion (the control: the bogus code is what fails)", async () => {
      const answer = await tokenRequest(withAssertion(await assertion()));
      expect(answer.body["error"]).toBe("invalid_grant");
    });

    it("refuses an assertion signed by an unknown key", async () => {
      const stranger = await generateKeyPair("PS256");
      const answer = await tokenRequest(withAssertion(await assertion({ key: stranger.privateKey as CryptoKey })));
      expect(answer.status).toBe(401);
      expect(answer.body["error"]).toBe("invalid_client");
    });

    it("refuses an expired assertion", async () => {
      const answer = await tokenRequest(withAssertion(await assertion({ exp: Math.floor(Date.now() / 1000) - 120 })));
      expect(answer.body["error"]).toBe("invalid_client");
    });

    it("refuses an assertion for another audience", async () => {
      const answer = await tokenRequest(withAssertion(await assertion({ aud: "https://elsewhere.example/token" })));
      expect(answer.body["error"]).toBe("invalid_client");
    });

    it("refuses a replayed assertion (same jti)", async () => {
      const jwt = await assertion({ jti: randomUUID() });
      expect((await tokenRequest(withAssertion(jwt))).body["error"]).toBe("invalid_grant");
      expect((await tokenRequest(withAssertion(jwt))).body["error"]).toBe("invalid_client");
    });

    it("refuses an unsigned assertion (alg none)", async () => {
      const now = Math.floor(Date.now() / 1000);
      const jwt = new UnsecuredJWT({}).setIssuer("test-nsis").setSubject("test-nsis").setAudience(demo.issuer).setIssuedAt(now).setExpirationTime(now + 60).setJti(randomUUID()).encode();
      expect((await tokenRequest(withAssertion(jwt))).body["error"]).toBe("invalid_client");
    });

    it("refuses HS256 with the client's public key as the secret", async () => {
      const secret = new TextEncoder().encode(JSON.stringify(demo.keys.publicJwk));
      const now = Math.floor(Date.now() / 1000);
      const jwt = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setIssuer("test-nsis").setSubject("test-nsis").setAudience(demo.issuer).setIssuedAt(now).setExpirationTime(now + 60).setJti(randomUUID()).sign(secret);
      expect((await tokenRequest(withAssertion(jwt))).body["error"]).toBe("invalid_client");
    });

    it("refuses a wrong client secret and an unknown client", async () => {
      const basic = (id: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}` });
      const fields = { grant_type: "authorization_code", code: "not-a-code", redirect_uri: demo.redirectUri, code_verifier: "x".repeat(43) };
      expect((await tokenRequest(fields, basic("test-secret", "wrong-secret-0123456789abcdef0123"))).body["error"]).toBe("invalid_client");
      expect((await tokenRequest(fields, basic("no-such-client", "whatever"))).body["error"]).toBe("invalid_client");
    });
  });

  describe("the authorization code", () => {
    it("is single-use: a second redemption fails and revokes the tokens of the first", async () => {
      const rp = demo.rp("test-nsis");
      const start = await rp.start();
      const callback = await personLogsIn(new Browser(), start.url, "demo-kommune", "hanne", demo.redirectUri);
      const tokens = await rp.redeem(start, callback.url);
      const config = await rp.config();
      await expect(oidc.fetchUserInfo(config, tokens.access_token, oidc.skipSubjectCheck)).resolves.toBeTruthy();
      await expect(rp.redeem(start, callback.url)).rejects.toMatchObject({ error: "invalid_grant" });
      await expect(oidc.fetchUserInfo(config, tokens.access_token, oidc.skipSubjectCheck)).rejects.toThrow();
    });

    it("needs the verifier its challenge was made from", async () => {
      const rp = demo.rp("test-nsis");
      const start = await rp.start();
      const code = await codeFor(start);
      const answer = await tokenRequest({ ...withAssertion(await assertion(), code), code_verifier: oidc.randomPKCECodeVerifier() });
      expect(answer.body["error"]).toBe("invalid_grant");
      const missing = withAssertion(await assertion(), code) as Record<string, string>;
      delete missing["code_verifier"];
      expect((await tokenRequest(missing)).body["error"]).toMatch(/invalid_(grant|request)/);
    });

    it("is refused at the token endpoint with another redirect_uri", async () => {
      const rp = demo.rp("test-nsis");
      const start = await rp.start();
      const code = await codeFor(start);
      const answer = await tokenRequest({ ...withAssertion(await assertion(), code), redirect_uri: `${demo.callback.url}/other`, code_verifier: start.codeVerifier });
      expect(answer.body["error"]).toBe("invalid_grant");
    });
  });

  describe("the authorization request", () => {
    const authorize = async (params: Record<string, string>) => {
      const url = new URL(`${demo.issuer}/auth`);
      for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
      const response = await fetch(url, { redirect: "manual" });
      return { status: response.status, location: response.headers.get("location") ?? "", body: await response.text() };
    };
    const base = () => ({ client_id: "test-nsis", redirect_uri: demo.redirectUri, response_type: "code", scope: "openid", state: "st", nonce: "nn", code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", code_challenge_method: "S256" });
    /** The error the client receives, in the query or (for implicit-style response types) the fragment. */
    const errorAtClient = (location: string) => {
      if (!location.startsWith(demo.redirectUri)) return undefined;
      const url = new URL(location);
      return url.searchParams.get("error") ?? new URLSearchParams(url.hash.slice(1)).get("error");
    };

    it("shows a page, never redirects, for an unregistered redirect_uri", async () => {
      const answer = await authorize({ ...base(), redirect_uri: "https://attacker.example/cb" });
      expect(answer.status).toBe(400);
      expect(answer.location).toBe("");
      expect(answer.body).toContain("redirect_uri");
      expect(answer.body).toMatch(/correlation id: <code>[0-9a-f-]{36}<\/code>/);
    });

    it("shows a page for an unknown client", async () => {
      const answer = await authorize({ ...base(), client_id: "no-such-client" });
      expect(answer.status).toBe(400);
      expect(answer.body).toContain("invalid_client");
    });

    it("refuses a request without PKCE, and plain PKCE", async () => {
      const without = base() as Record<string, string>;
      delete without["code_challenge"];
      delete without["code_challenge_method"];
      expect(errorAtClient((await authorize(without)).location)).toBe("invalid_request");
      expect(errorAtClient((await authorize({ ...base(), code_challenge_method: "plain", code_challenge: "x".repeat(43) })).location)).toBe("invalid_request");
    });

    it("refuses implicit and hybrid response types", async () => {
      for (const responseType of ["token", "id_token", "id_token token", "code id_token", "code token"]) {
        expect(errorAtClient((await authorize({ ...base(), response_type: responseType })).location), responseType).toBe("unsupported_response_type");
      }
    });

    it("refuses an unsigned request object", async () => {
      const request = new UnsecuredJWT({ ...base() }).setIssuer("test-nsis").setAudience(demo.issuer).encode();
      const answer = await authorize({ client_id: "test-nsis", response_type: "code", scope: "openid", redirect_uri: demo.redirectUri, request });
      expect(errorAtClient(answer.location) ?? answer.status).toMatch(/request_not_supported|invalid_request_object|400/);
      expect(answer.location).not.toContain("code=");
    });

    it("answers over-long and malformed parameters with an error, not a crash", async () => {
      const long = await authorize({ ...base(), state: "s".repeat(20_000) });
      expect([400, 303, 414, 431]).toContain(long.status);
      const malformed = await authorize({ ...base(), max_age: "soon" });
      expect(errorAtClient(malformed.location)).toBe("invalid_request");
      const scopeless = await authorize({ ...base(), scope: "email" });
      expect(errorAtClient(scopeless.location)).toMatch(/invalid_(request|scope)/);
    });
  });

  it("refuses an unregistered post_logout_redirect_uri", async () => {
    const response = await fetch(`${demo.issuer}/session/end?client_id=test-nsis&post_logout_redirect_uri=${encodeURIComponent("https://attacker.example/bye")}`, { redirect: "manual" });
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
    expect(await response.text()).toContain("post_logout_redirect_uri");
  });

  it("does not take an ID token as an access token", async () => {
    const rp = demo.rp("test-nsis");
    const start = await rp.start();
    const tokens = await rp.redeem(start, (await personLogsIn(new Browser(), start.url, "demo-kommune", "hanne", demo.redirectUri)).url);
    const response = await fetch(`${demo.issuer}/me`, { headers: { authorization: `Bearer ${tokens.id_token}` } });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain("invalid_token");
  });
});
