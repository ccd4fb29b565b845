/**
 * The demo's OIDC fagsystem logs in through the broker as a person would:
 * openid-client as the relying party (code + PKCE + private_key_jwt,
 * encrypted ID token), the broker's chooser, the demo municipal IdP, back
 * through the one login core, tokens, claims, roles, logout.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoInstance, type DemoInstance } from "../support/demo-instance.js";
import { Browser, type Page } from "../support/http-browser.js";
import { OIOSAML3 } from "../../src/profiles/oiosaml3-attributes.js";

describe("the demo OIDC fagsystem", () => {
  let instance: DemoInstance;
  let rpUrl: string;

  beforeAll(async () => {
    instance = await startDemoInstance();
    rpUrl = instance.demo.oidcRpUrl ?? "";
  });

  afterAll(async () => {
    await instance?.stop();
  });

  async function loginAs(browser: Browser, user: string, idp = "demo-kommune"): Promise<Page> {
    const start = await browser.get(`${rpUrl}/login`);
    expect(start.status).toBe(303);
    expect(start.location).toMatch(new RegExp(`^${instance.brokerUrl}/oidc/auth\\?`));
    const authorize = new URL(start.location ?? "");
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    const chooser = await browser.follow(start);
    expect(chooser.url).toMatch(new RegExp(`^${instance.brokerUrl}/oidc/interaction/`));
    expect(chooser.body).toContain(`value="${idp}"`);
    const idpForm = await browser.follow(await browser.submit(chooser, { idp }));
    if (idp === "demo-kommune") expect(idpForm.url.startsWith(`${instance.demo.idpUrl}/sso?SAMLRequest=`)).toBe(true);
    const toBroker = await browser.submit(idpForm, { user });
    expect(toBroker.body).toContain(idp === "demo-kommune" ? `action="${instance.brokerUrl}/saml/acs"` : `action="${instance.brokerUrl}/oidc-rp/callback"`);
    const toFinish = toBroker.url.startsWith(instance.brokerUrl) && toBroker.body.includes("/oidc/interaction/") ? toBroker : await browser.submit(toBroker);
    expect(toFinish.body).toContain(`action="${instance.brokerUrl}/oidc/interaction/`);
    return browser.submit(toFinish);
  }

  it("logs a caseworker in and shows her claims and translated roles", async () => {
    const browser = new Browser();
    const page = await loginAs(browser, "hanne");
    expect(page.url, page.body.slice(0, 600)).toBe(`${rpUrl}/`);
    expect(page.body).toContain("Logget ind / Logged in");
    expect(page.body).toContain(`<code>${OIOSAML3.cvr}</code></td><td>29189846`);
    expect(page.body).toContain(`<code>acr</code></td><td>urn:dk:gov:saml:attribute:AssuranceLevel:3`);
    expect(page.body).toContain("http://demo-oidc-fagsystem.dk/roles/usersystemrole/sagsbehandling/1");
    expect(page.body).not.toContain("http://demo-fagsystem.dk/roles/usersystemrole/");
  });

  it("logs Nina of Nord Kommune in over OpenID Connect upstream (Entra ID, MFA: NIST 3), with roles from her groups", async () => {
    // Her group sg-ledere is the job-function role leder, which the OIDC fagsystem maps to its read role.
    const page = await loginAs(new Browser(), "nina", "nord-kommune");
    expect(page.url, page.body.slice(0, 600)).toBe(`${rpUrl}/`);
    expect(page.body).toContain(`<code>${OIOSAML3.cvr}</code></td><td>55667788`);
    expect(page.body).toContain(`<code>acr</code></td><td>urn:dk:gov:saml:attribute:AssuranceLevel:3`);
    expect(page.body).toContain("http://demo-oidc-fagsystem.dk/roles/usersystemrole/laesning/1");
  });

  it("refuses Niels of Nord Kommune, who signed in without MFA (NIST 2), at a NIST 3 fagsystem", async () => {
    const page = await loginAs(new Browser(), "niels", "nord-kommune");
    expect(page.url.startsWith(rpUrl)).toBe(true);
    expect(page.body).toContain("Login mislykkedes / Login failed");
    expect(page.body).toMatch(/unmet_authentication_requirements|access_denied/);
  });
});
