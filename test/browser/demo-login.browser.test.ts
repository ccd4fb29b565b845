/**
 * The demo login in a real browser: the demo fagsystem's "Log ind" button,
 * the broker's chooser, the demo IdP's user list, and the auto-submitting
 * forms back through the broker to the fagsystem. The browser enforces each
 * page's Content-Security-Policy, including `form-action` on the redirect
 * that follows the chooser, which HTTP-level tests cannot see.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser, freshPage } from "../support/browser.js";
import { startDemoInstance, type DemoInstance } from "../support/demo-instance.js";

describe("the demo login in Chromium", () => {
  let browser: Browser;
  let instance: DemoInstance;

  beforeAll(async () => {
    [browser, instance] = await Promise.all([launchBrowser(), startDemoInstance()]);
  });

  afterAll(async () => {
    await browser?.close();
    await instance?.stop();
  });

  it("takes Hanne from the fagsystem through the chooser and Demo Kommune's IdP and back, with no CSP violation", async () => {
    const { context, page, cspViolations } = await freshPage(browser);
    await page.goto(`${instance.demo.spUrl}/`);
    await page.getByRole("button", { name: "Log ind / Log in" }).click();

    await expect.poll(() => page.locator("h1").first().textContent()).toContain("Vælg din kommune");
    expect(new URL(page.url()).origin).toBe(instance.brokerUrl);
    await page.getByRole("button", { name: "Demo Kommune" }).click();

    await page.waitForURL(`${instance.demo.idpUrl}/**`);
    await expect.poll(() => page.locator("h1").first().textContent()).toBe("Demo Kommune");
    await page.locator('button[name="user"][value="hanne"]').click();

    await page.waitForURL(`${instance.demo.spUrl}/acs`);
    await expect.poll(() => page.locator("h1").first().textContent()).toBe("Logget ind / Logged in");
    expect(await page.content()).toContain("https://data.gov.dk/concept/core/nsis/loa/Substantial");
    expect(cspViolations).toEqual([]);
    await context.close();
  });

  it("answers a second login in the same browser from the SSO session, without the chooser or the IdP", async () => {
    const { context, page } = await freshPage(browser);
    await page.goto(`${instance.demo.spUrl}/login`);
    await page.getByRole("button", { name: "Demo Kommune" }).click();
    await page.locator('button[name="user"][value="hanne"]').click();
    await page.waitForURL(`${instance.demo.spUrl}/acs`);

    const visited: string[] = [];
    page.on("request", (request) => {
      if (request.isNavigationRequest()) visited.push(new URL(request.url()).origin + new URL(request.url()).pathname);
    });
    await page.goto(`${instance.demo.spUrl}/login`);
    await page.waitForURL(`${instance.demo.spUrl}/acs`);
    expect(visited.some((url) => url.startsWith(instance.demo.idpUrl))).toBe(false);
    expect(visited).toContain(`${instance.brokerUrl}/saml/sso`);
    await expect.poll(() => page.locator("h1").first().textContent()).toBe("Logget ind / Logged in");
    await context.close();
  });
});
