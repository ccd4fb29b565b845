/**
 * OIDC logins through the one login core, with openid-client as an
 * independent relying party: a Demo Kommune caseworker, a step-up user, an
 * attribute-service user, robots (refused for an NSIS client, accepted for a
 * NIST client), levels from acr_values, userinfo, refresh-token rotation,
 * SSO and prompt=none.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as oidc from "openid-client";
import { createRemoteJWKSet, jwtVerify } from "jose";
import { API_AUDIENCE, startOidcDemo, type OidcDemo } from "../support/oidc-demo.js";
import { Browser, personLogsIn, untilClient } from "../support/oidc-test-client.js";
import { OIOSAML3 } from "../../src/profiles/oiosaml3-attributes.js";
import { PRIVILEGES_INTERMEDIATE_CLAIM, PRIVILEGES_JSON_CLAIM, type PrivilegeGroupClaim } from "../../src/profiles/oidc-claims.js";

const SUBSTANTIAL = "https://data.gov.dk/concept/core/nsis/loa/Substantial";

describe("OIDC login through the broker", () => {
  let demo: OidcDemo;

  beforeAll(async () => {
    demo = await startOidcDemo();
  });

  afterAll(async () => {
    await demo?.stop();
  });

  it("logs a Demo Kommune caseworker in: level, organisation, person and her translated roles as claims", async () => {
    const rp = demo.rp("test-nsis");
    const start = await rp.start();
    const callback = await personLogsIn(new Browser(), start.url, "demo-kommune", "hanne", demo.redirectUri);
    const tokens = await rp.redeem(start, callback.url);
    const claims = tokens.claims()!;
    expect(claims["acr"]).toBe(SUBSTANTIAL);
    expect(typeof claims["auth_time"]).toBe("number");
    expect(claims[OIOSAML3.cvr]).toBe("29189846");
    expect(claims[OIOSAML3.fullName]).toBe("Hanne Hansen");
    expect(typeof claims[PRIVILEGES_INTERMEDIATE_CLAIM]).toBe("string");
    const groups = claims[PRIVILEGES_JSON_CLAIM] as unknown as PrivilegeGroupClaim[];
    expect(groups.flatMap((g) => g.p)).toContain("http://demo-fagsystem.dk/roles/usersystemrole/sagsbehandling/1");
    expect(groups[0]?.cvr).toBe("29189846");

    const userinfo = await oidc.fetchUserInfo(await rp.config(), tokens.access_token, claims.sub);
    expect(userinfo[OIOSAML3.cvr]).toBe("29189846");
  });

  it("gives one person a different, stable sub at each client", async () => {
    const browser = new Browser();
    const nsis = demo.rp("test-nsis");
    const first = await nsis.start();
    const firstSub = (await nsis.redeem(first, (await personLogsIn(browser, first.url, "demo-kommune", "hanne", demo.redirectUri)).url)).claims()!.sub;

    const other = demo.rp("test-secret");
    const second = await other.start();
    // The same browser: the broker's SSO session answers without the chooser or the IdP.
    const secondCallback = await untilClient(browser, await browser.follow(await browser.get(second.url.href)), demo.redirectUri);
    expect(secondCallback.url.startsWith(demo.redirectUri)).toBe(true);
    const otherSub = (await other.redeem(second, secondCallback.url)).claims()!.sub;
    expect(otherSub).not.toBe(firstSub);

    const again = await nsis.start({ prompt: "login" });
    const againSub = (await nsis.redeem(again, (await personLogsIn(browser, again.url, "demo-kommune", "hanne", demo.redirectUri)).url)).claims()!.sub;
    expect(againSub).toBe(firstSub);
  });

  it("sends the person to the IdP again for max_age, even with a fresh session in the browser", async () => {
    const rp = demo.rp("test-nsis");
    const browser = new Browser();
    const first = await rp.start();
    await rp.redeem(first, (await personLogsIn(browser, first.url, "demo-kommune", "hanne", demo.redirectUri)).url);
    const silent = await rp.start();
    const reused = await untilClient(browser, await browser.follow(await browser.get(silent.url.href)), demo.redirectUri);
    expect(reused.url.startsWith(demo.redirectUri)).toBe(true);

    const fresh = await rp.start({ max_age: "0" });
    const page = await browser.follow(await browser.get(fresh.url.href));
    expect(page.url.startsWith(demo.instance.demo.idpUrl)).toBe(true);
    expect(page.body).toContain('name="user" value="hanne"');
  });

  it("steps Karen of Vest Kommune (NIST 3 only) up through NemLog-in before answering an NSIS client", async () => {
    const rp = demo.rp("test-nsis");
    const start = await rp.start();
    const browser = new Browser();
    const chooser = await browser.follow(await browser.get(start.url.href));
    const idpForm = await browser.submit(chooser, { idp: "vest-kommune" });
    const nemlogin = await browser.submit(await browser.submit(idpForm, { user: "karen" }));
    expect(nemlogin.body).toContain("<h1>NemLog-in (demo)</h1>");
    const callback = await untilClient(browser, await browser.submit(nemlogin, { identity: "karen" }), demo.redirectUri);
    expect(callback.url.startsWith(demo.redirectUri)).toBe(true);
    const claims = (await rp.redeem(start, callback.url)).claims()!;
    expect(claims["acr"]).toBe(SUBSTANTIAL);
    expect(claims[OIOSAML3.cvr]).toBe("44556677");
  });

  it("asks Sky Kommune's role catalogue (attribute service) for a user whose IdP sends no privileges", async () => {
    const rp = demo.rp("test-nsis");
    const start = await rp.start();
    const callback = await personLogsIn(new Browser(), start.url, "sky-kommune", "sofie", demo.redirectUri);
    const claims = (await rp.redeem(start, callback.url)).claims()!;
    expect(claims[OIOSAML3.cvr]).toBe("33445566");
    const groups = claims[PRIVILEGES_JSON_CLAIM] as unknown as PrivilegeGroupClaim[];
    expect(groups.flatMap((g) => g.p)).toContain("http://demo-fagsystem.dk/roles/usersystemrole/laesning/1");
  });

  it("refuses a robot at a client that requires an NSIS level, with an OAuth error and no code", async () => {
    const rp = demo.rp("test-nsis");
    const start = await rp.start();
    const callback = new URL((await personLogsIn(new Browser(), start.url, "demo-kommune", "robot", demo.redirectUri)).url);
    expect(callback.searchParams.get("code")).toBeNull();
    expect(callback.searchParams.get("state")).toBe(start.state);
    expect(["access_denied", "unmet_authentication_requirements"]).toContain(callback.searchParams.get("error"));
  });

  it("accepts a robot at a client that requires NIST level 3, with the NIST class as acr", async () => {
    const rp = demo.rp("test-nist");
    const start = await rp.start();
    const callback = await personLogsIn(new Browser(), start.url, "demo-kommune", "robot", demo.redirectUri);
    const claims = (await rp.redeem(start, callback.url)).claims()!;
    expect(claims["acr"]).toBe("urn:dk:gov:saml:attribute:AssuranceLevel:3");
  });

  it("raises acr_values to the client's registration, never lowers it", async () => {
    const rp = demo.rp("test-nsis");
    const start = await rp.start({ acr_values: "https://data.gov.dk/concept/core/nsis/loa/Low" });
    const callback = await personLogsIn(new Browser(), start.url, "demo-kommune", "hanne", demo.redirectUri);
    expect((await rp.redeem(start, callback.url)).claims()!["acr"]).toBe(SUBSTANTIAL);
  });

  it("ends with unmet_authentication_requirements, never a lower acr, when the login cannot reach the asked level", async () => {
    const rp = demo.rp("test-nsis");
    const start = await rp.start({ acr_values: "https://data.gov.dk/concept/core/nsis/loa/High" });
    const callback = new URL((await personLogsIn(new Browser(), start.url, "demo-kommune", "hanne", demo.redirectUri)).url);
    expect(callback.searchParams.get("code")).toBeNull();
    expect(callback.searchParams.get("error")).toBe("unmet_authentication_requirements");
  });

  it("refuses an acr value the broker does not know", async () => {
    const rp = demo.rp("test-nsis");
    const start = await rp.start({ acr_values: "urn:example:loa:gold" });
    const browser = new Browser();
    const page = await browser.follow(await browser.get(start.url.href));
    expect(page.url.startsWith(demo.redirectUri)).toBe(true);
    const answer = new URL(page.url).searchParams;
    expect(answer.get("code")).toBeNull();
    expect(answer.get("error")).toBe("unmet_authentication_requirements");
    expect(answer.get("error_description")).toContain("urn:example:loa:gold");
  });

  it("answers prompt=none with login_required when there is no session, and from the session when there is one", async () => {
    const rp = demo.rp("test-nsis");
    const browser = new Browser();
    const none = await rp.start({ prompt: "none" });
    const refused = await browser.follow(await browser.get(none.url.href));
    expect(new URL(refused.url).searchParams.get("error")).toBe("login_required");

    const start = await rp.start();
    await rp.redeem(start, (await personLogsIn(browser, start.url, "demo-kommune", "hanne", demo.redirectUri)).url);
    const silent = await rp.start({ prompt: "none" });
    const answered = await untilClient(browser, await browser.follow(await browser.get(silent.url.href)), demo.redirectUri);
    expect(answered.url.startsWith(demo.redirectUri)).toBe(true);
    expect((await rp.redeem(silent, answered.url)).claims()!["acr"]).toBe(SUBSTANTIAL);
  });

  it("rotates refresh tokens: the new one works, the old one is refused", async () => {
    const rp = demo.rp("test-nsis");
    const start = await rp.start();
    const tokens = await rp.redeem(start, (await personLogsIn(new Browser(), start.url, "demo-kommune", "hanne", demo.redirectUri)).url);
    expect(tokens.refresh_token).toBeTruthy();
    const refreshed = await oidc.refreshTokenGrant(await rp.config(), tokens.refresh_token!);
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.claims()?.["acr"]).toBe(SUBSTANTIAL);
    await expect(oidc.refreshTokenGrant(await rp.config(), tokens.refresh_token!)).rejects.toMatchObject({ error: "invalid_grant" });
  });

  it("issues a JWT access token, signed by the broker, for an API registered for the client", async () => {
    const rp = demo.rp("test-nsis");
    const start = await rp.start({ resource: API_AUDIENCE, scope: "openid api" });
    const tokens = await rp.redeem(start, (await personLogsIn(new Browser(), start.url, "demo-kommune", "hanne", demo.redirectUri)).url);
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(`${demo.issuer}/jwks`)), { issuer: demo.issuer, audience: API_AUDIENCE });
    expect(protectedHeader.alg).toBe("PS256");
    expect(protectedHeader.typ).toBe("at+jwt");
    expect(payload["client_id"]).toBe("test-nsis");
    expect(payload.sub).toBe(tokens.claims()!.sub);
  });

  it("refuses an access token for an API not registered for the client", async () => {
    const rp = demo.rp("test-nsis");
    const start = await rp.start({ resource: "https://other-api.example/", scope: "openid api" });
    const browser = new Browser();
    const answer = new URL((await browser.follow(await browser.get(start.url.href))).url);
    expect(answer.searchParams.get("error")).toBe("invalid_target");
    expect(answer.searchParams.get("code")).toBeNull();
  });

  it("logs a public client in with PKCE and no secret", async () => {
    const rp = demo.rp("test-public");
    const start = await rp.start();
    const tokens = await rp.redeem(start, (await personLogsIn(new Browser(), start.url, "demo-kommune", "hanne", demo.redirectUri)).url);
    expect(tokens.claims()!["acr"]).toBe(SUBSTANTIAL);
  });
});

describe("OIDC logout through the broker", () => {
  let demo: OidcDemo;

  beforeAll(async () => {
    demo = await startOidcDemo();
  });

  afterAll(async () => {
    await demo?.stop();
  });

  it("ends the session at the broker: back-channel logout to the client, the registered post-logout redirect, and the next login goes to the IdP again", async () => {
    const rp = demo.rp("test-nsis");
    const browser = new Browser();
    const start = await rp.start();
    const tokens = await rp.redeem(start, (await personLogsIn(browser, start.url, "demo-kommune", "hanne", demo.redirectUri)).url);
    const sid = tokens.claims()!["sid"];

    const endSession = oidc.buildEndSessionUrl(await rp.config(), { client_id: "test-nsis", post_logout_redirect_uri: `${demo.callback.url}/logged-out` });
    const confirm = await browser.get(endSession.href);
    expect(confirm.status).toBe(200);
    expect(confirm.body).toContain("Log ud / Log out");
    const action = /<form[^>]*action="([^"]+)"/.exec(confirm.body)?.[1] ?? "";
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.body)?.[1] ?? "";
    // The browser goes through the broker's single logout, whose summary leads on to the registered post-logout URI.
    const summary = await browser.follow(await browser.post(new URL(action.replace(/&amp;/g, "&"), confirm.url).href, { xsrf, logout: "yes" }));
    expect(summary.body).toContain("Du er logget ud / You are logged out");
    expect(summary.body).toMatch(/data-logged-out="yes">Demo Kommune/);
    const onward = /<a href="([^"]+)" id="logout-continue"/.exec(summary.body)?.[1]?.replace(/&amp;/g, "&") ?? "";
    expect(onward).toBe(`${demo.callback.url}/logged-out`);
    const done = await browser.follow(await browser.get(onward));
    expect(done.url).toBe(`${demo.callback.url}/logged-out`);

    const logoutTokens = demo.callback.posts.filter((p) => p.path === "/backchannel");
    expect(logoutTokens).toHaveLength(1);
    const logoutToken = new URLSearchParams(logoutTokens[0]!.body).get("logout_token") ?? "";
    const payload = JSON.parse(Buffer.from(logoutToken.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
    expect(payload["sid"]).toBe(sid);
    expect(payload["events"]).toHaveProperty(["http://schemas.openid.net/event/backchannel-logout"]);

    // Neither the OpenID Provider's session nor the broker's SSO session answers the next login.
    const next = await rp.start();
    const page = await browser.follow(await browser.get(next.url.href));
    expect(page.url.startsWith(demo.redirectUri)).toBe(false);
    expect(page.body).toContain('name="user" value="hanne"');
  });
});
