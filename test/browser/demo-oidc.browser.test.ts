/**
 * The demo OIDC fagsystem in a real browser: its "Log ind" link, the broker's
 * OpenID Provider and chooser, the demo IdP, back through the broker to the
 * fagsystem with code, tokens and claims; then logout with the broker's
 * confirmation page. The browser enforces each page's Content-Security-Policy.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser, freshPage } from "../support/browser.js";
import { startDemoInstance, type DemoInstance } from "../support/demo-instance.js";

describe("the demo OIDC fagsystem in Chromium", () => {
  let browser: Browser;
  let instance: DemoInstance;
  let rpUrl: string;

  beforeAll(async () => {
    [browser, instance] = await Promise.all([launchBrowser(), startDemoInstance()]);
    rpUrl = instance.demo.oidcRpUrl ?? "";
  });

  afterAll(async () => {
    await browser?.close();
    await instance?.stop();
  });

  it("logs Hanne in through the broker and out again, with no CSP violation", async () => {
    const { context, page, cspViolations } = await freshPage(browser);
    await page.goto(`${rpUrl}/`);
    await page.getByRole("link", { name: "Log ind / Log in" }).click();

    await expect.poll(() => page.locator("h1").first().textContent()).toContain("Vælg din kommune");
    expect(page.url()).toContain(`${instance.brokerUrl}/oidc/interaction/`);
    await page.getByRole("button", { name: "Demo Kommune" }).click();
    await page.waitForURL(`${instance.demo.idpUrl}/**`);
    await page.locator('button[name="user"][value="hanne"]').click();

    await page.waitForURL(`${rpUrl}/`);
    await expect.poll(() => page.locator("h1").first().textContent()).toBe("Logget ind / Logged in");
    const content = await page.content();
    expect(content).toContain("urn:dk:gov:saml:attribute:AssuranceLevel:3");
    expect(content).toContain("http://demo-oidc-fagsystem.dk/roles/usersystemrole/sagsbehandling/1");

    await page.getByRole("link", { name: "Log ud / Log out" }).click();
    await expect.poll(() => page.locator("h1").first().textContent()).toBe("Log ud / Log out");
    await page.getByRole("button", { name: "Log ud / Log out" }).click();
    // The broker's single logout (the IdP too) ends on its summary, which leads back to the fagsystem.
    await expect.poll(() => page.locator("h1").first().textContent()).toBe("Du er logget ud / You are logged out");
    await page.getByRole("link", { name: "Tilbage til systemet / Back to the system" }).click();
    await page.waitForURL(`${rpUrl}/logged-out`);
    await expect.poll(() => page.locator("h1").first().textContent()).toBe("Logget ud / Logged out");
    expect(cspViolations).toEqual([]);
    await context.close();
  });
});
