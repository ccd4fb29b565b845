/**
 * The demo's Entra ID municipality (Nord Kommune) over OpenID Connect into a
 * SAML fagsystem: the demo fagsystem, registered here as a NIST 3 system,
 * receives a signed, encrypted assertion for Nina (Entra ID with MFA) with
 * the user-system roles her group maps to; the NSIS demo configuration
 * refuses her. Real HTTP, the real OpenID Provider the demo starts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OIOSAML3 } from "../../src/profiles/oiosaml3-attributes.js";
import { startDemoInstance, type DemoInstance } from "../support/demo-instance.js";
import { Browser, shownAttributes, unescapeHtml, type Page } from "./demo-browser.js";

async function nordLogin(instance: DemoInstance, user: string, browser = new Browser()): Promise<Page> {
  const chooser = await browser.follow(await browser.get(`${instance.demo.spUrl}/login`));
  expect(chooser.body).toContain('value="nord-kommune"');
  const opPage = await browser.follow(await browser.submit(chooser, { idp: "nord-kommune" }));
  expect(opPage.url.startsWith(instance.demo.nordOpUrl ?? "-")).toBe(true);
  expect(opPage.body).toContain("Microsoft Entra ID (demo)");
  const formPost = await browser.submit(opPage, { user });
  expect(formPost.body).toContain(`action="${instance.brokerUrl}/oidc-rp/callback"`);
  let page = await browser.submit(formPost);
  // The broker's pages (a refusal's notice, the auto-POST to the fagsystem) until the fagsystem answers.
  for (let pages = 0; page.url.startsWith(instance.brokerUrl) && pages < 3; pages++) page = await browser.submit(page);
  return page;
}

describe("the demo: Nord Kommune (Entra ID over OpenID Connect) into a SAML fagsystem", () => {
  let nist: DemoInstance;

  beforeAll(async () => {
    nist = await startDemoInstance({
      configure: (config) => ({ ...config, serviceProviders: config.serviceProviders.map((sp) => (sp.id === "demo-fagsystem" ? { ...sp, requiredLevel: { nist: 3 as const } } : sp)) }),
    });
  });

  afterAll(async () => {
    await nist?.stop();
  });

  it("gives Nina (MFA: NIST 3) a SAML assertion with her organisation, level and the roles her Entra group maps to", async () => {
    const page = await nordLogin(nist, "nina");
    expect(page.body).toContain("Logget ind / Logged in");
    const attributes = shownAttributes(page.body);
    expect(attributes.get(OIOSAML3.cvr)).toEqual(["55667788"]);
    expect(attributes.get("dk:gov:saml:attribute:AssuranceLevel")).toEqual(["3"]);
    expect(page.body).toContain("http://demo-fagsystem.dk/roles/usersystemrole/laesning/1");
  });

  it("logs Nina out at Nord Kommune's OpenID Provider too (its end_session), when she logs out of the fagsystem", async () => {
    const browser = new Browser();
    expect((await nordLogin(nist, "nina", browser)).body).toContain("Logget ind / Logged in");
    // The fagsystem's Log ud: the broker sends the browser to the OP's end_session, which asks Nina to confirm.
    const confirm = await browser.follow(await browser.post(`${nist.demo.spUrl}/logout`, {}));
    expect(confirm.url.startsWith(`${nist.demo.nordOpUrl}/session/end`)).toBe(true);
    const action = unescapeHtml(/<form[^>]*action="([^"]+)"/.exec(confirm.body)?.[1] ?? "");
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.body)?.[1] ?? "";
    const summary = await browser.follow(await browser.post(new URL(action, confirm.url).href, { xsrf, logout: "yes" }));
    expect(summary.url.startsWith(`${nist.brokerUrl}/oidc-rp/logged-out?state=`)).toBe(true);
    expect(summary.body).toContain("Du er logget ud / You are logged out");
    expect(summary.body).toMatch(/<li data-logged-out="yes">Nord Kommune \(Entra ID\):/);
    // Both sessions are gone: the next login (the municipality remembered) asks Nina at the OP again.
    const opPage = await browser.follow(await browser.get(`${nist.demo.spUrl}/login`));
    expect(opPage.url.startsWith(`${nist.demo.nordOpUrl}/interaction/`)).toBe(true);
    expect(opPage.body).toContain("Microsoft Entra ID (demo)");
  });

  it("refuses Niels (no MFA: NIST 2) at the NIST 3 fagsystem", async () => {
    const page = await nordLogin(nist, "niels");
    expect(page.body).not.toContain("Logget ind / Logged in");
    expect(page.body).toMatch(/NoAuthnContext|Ikke logget ind/);
  });
});
