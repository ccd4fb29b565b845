/**
 * A municipality whose IdP speaks OpenID Connect (Entra ID shape), against a
 * scriptable OP on real HTTP with real JOSE: the login reaches the client
 * when the ID token holds, and every broken token ends the login with an
 * OAuth error at the client and a page for the person — wrong issuer,
 * audience, tenant, expiry or nonce, alg none, HS256 key confusion, a key
 * not in the JWKS, the OP's own errors, the OP down, a replayed answer, and
 * a login without MFA where NIST 3 is required. A rolled key is accepted
 * after one JWKS refetch.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startOidcDemo, type OidcDemo } from "../support/oidc-demo.js";
import { Browser, untilClient } from "../support/oidc-test-client.js";
import type { Page } from "../support/http-browser.js";
import { newSigningKey, startFakeEntraOp, type FakeEntraOp } from "../support/fake-entra-op.js";
import { oidcIdentityProviderSchema } from "../../src/config/oidc-idp-schema.js";

const SECRET_ENV = "TEST_FAKE_ENTRA_SECRET";

describe("a municipal IdP over OpenID Connect", () => {
  let op: FakeEntraOp;
  let demo: OidcDemo;

  beforeAll(async () => {
    op = await startFakeEntraOp();
    process.env[SECRET_ENV] = op.clientSecret;
    const registration = oidcIdentityProviderSchema.parse({
      id: "fake-entra",
      displayName: "Fake Entra Kommune",
      issuer: op.issuer,
      clientId: op.clientId,
      tokenEndpointAuthMethod: "client_secret_basic",
      clientSecretEnv: SECRET_ENV,
      cvrs: ["29189846"],
      tenant: op.tenant,
      level: { nist: 2, mfaNist: 3 },
      maxLevel: { nist: 3, nsis: "none" },
      responseMode: "query",
    });
    demo = await startOidcDemo({ configure: (config) => ({ ...config, oidcIdentityProviders: [...config.oidcIdentityProviders, registration] }) });
  });

  afterAll(async () => {
    await demo?.stop();
    await op?.close();
  });

  beforeEach(() => {
    op.next = {};
    op.authorizeError = undefined;
    op.published = [op.signing];
  });

  /** The person starts at the NIST 3 client with the municipality hint and is carried to the client's redirect_uri. */
  async function login(): Promise<{ answer: URLSearchParams; pages: Page[] }> {
    const rp = demo.rp("test-nist");
    const start = await rp.start({ municipality: "fake-entra" });
    const browser = new Browser();
    const afterCallback = await browser.follow(await browser.get(start.url.href));
    const last = await untilClient(browser, afterCallback, demo.redirectUri);
    const answer = new URL(last.url).searchParams;
    if (answer.get("code")) await rp.redeem(start, last.url);
    return { answer, pages: [afterCallback, last] };
  }

  it("logs the person in when the ID token holds (MFA: NIST 3)", async () => {
    const { answer } = await login();
    expect(answer.get("error")).toBeNull();
    expect(answer.get("code")).toBeTruthy();
    const sent = op.authorizations.at(-1)!;
    expect(sent.get("code_challenge_method")).toBe("S256");
    expect(sent.get("nonce")).toBeTruthy();
    expect(sent.get("state")).toBeTruthy();
  });

  it.each([
    ["another issuer", { claims: { iss: "https://login.example/other" } }],
    ["another audience", { claims: { aud: "someone-else" } }],
    ["another tenant", { claims: { tid: "99999999-2222-4333-8444-555555555555" } }],
    ["an expired token", { claims: { exp: Math.floor(Date.now() / 1000) - 3600, iat: Math.floor(Date.now() / 1000) - 7200 } }],
    ["another nonce", { claims: { nonce: "not-the-nonce" } }],
    ["alg none", { alg: "none" as const }],
    ["HS256 with the OP's public key as the secret", { alg: "HS256" as const, secret: new TextEncoder().encode(JSON.stringify({})) }],
    ["the token endpoint's error", { tokenError: "invalid_grant" }],
  ])("refuses %s: an error at the client, a page with a correlation id for the person", async (_name, script) => {
    op.next = script;
    const { answer, pages } = await login();
    expect(answer.get("code")).toBeNull();
    expect(answer.get("error")).toBe("access_denied");
    expect(pages[0]!.body, pages[0]!.body).toMatch(/correlation id: <code>[0-9a-f-]{36}<\/code>/);
  });

  it("refuses a token signed by a key the OP does not publish", async () => {
    op.next = { key: await newSigningKey("op-key-stranger") };
    const { answer } = await login();
    expect(answer.get("code")).toBeNull();
    expect(answer.get("error")).toBe("access_denied");
  });

  it("accepts a rolled key after one JWKS refetch (a new kid refetches at most once a minute)", async () => {
    await login();
    const rolled = await newSigningKey("op-key-2");
    op.published = [op.signing, rolled];
    op.next = { key: rolled };
    // Only the clock moves: a minute after the last fetch, an unknown kid may refetch the JWKS.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 61_000 });
    try {
      const before = op.jwksFetches;
      const { answer } = await login();
      expect(answer.get("code")).toBeTruthy();
      expect(op.jwksFetches).toBe(before + 1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("passes the OP's access_denied on as access_denied", async () => {
    op.authorizeError = "access_denied";
    const { answer } = await login();
    expect(answer.get("code")).toBeNull();
    expect(answer.get("error")).toBe("access_denied");
  });

  it("refuses a login without MFA at a client that needs NIST 3", async () => {
    op.next = { claims: { amr: ["pwd"] } };
    const { answer } = await login();
    expect(answer.get("code")).toBeNull();
    expect(answer.get("error")).toBe("unmet_authentication_requirements");
  });

  it("refuses the same answer twice", async () => {
    const rp = demo.rp("test-nist");
    const start = await rp.start({ municipality: "fake-entra" });
    const browser = new Browser();
    const toOp = await browser.follow(await browser.get(start.url.href));
    expect(toOp.status).toBe(200);
    const callback = op.authorizations.at(-1)!;
    expect(callback.get("state")).toBeTruthy();
    // The broker's callback URL as the OP sent it, replayed by another browser.
    const replay = await new Browser().get(`${demo.instance.brokerUrl}/oidc-rp/callback?state=${encodeURIComponent(callback.get("state")!)}&code=anything`);
    expect(replay.status).toBe(400);
    expect(replay.body).toMatch(/correlation id/i);
  });

  // Last: it stops the OP.
  it("ends the login with a clear error when the OP cannot be reached", async () => {
    const rp = demo.rp("test-nist");
    const start = await rp.start({ municipality: "fake-entra" });
    const browser = new Browser();
    const afterAuthorize = await browser.get(start.url.href);
    const interaction = await browser.get(new URL(afterAuthorize.location!, demo.issuer).href);
    const atOp = await browser.get(interaction.location!);
    // The OP answered the authorization; by the callback its token endpoint is gone.
    await op.close();
    const page = await browser.get(atOp.location!);
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/correlation id: <code>[0-9a-f-]{36}<\/code>/);
    const last = await untilClient(browser, page, demo.redirectUri);
    expect(new URL(last.url).searchParams.get("error")).toBe("access_denied");
  });
});
