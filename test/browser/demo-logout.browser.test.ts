/**
 * Single Logout in a real browser (Chromium): Hanne is logged in to the SAML
 * demo fagsystem and the OIDC demo fagsystem; "Log ud" at the OIDC one goes
 * through the broker's logout page, whose hidden frame logs her out of the
 * SAML fagsystem (the page's script goes on when it has answered), then Demo
 * Kommune's IdP, and ends on the summary. The SAML fagsystem's own "Log ud"
 * button does the same from the other side. No CSP violation on the way.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, freshPage } from "../support/browser.js";
import { startDemoInstance, type DemoInstance } from "../support/demo-instance.js";

describe("Single Logout on the demo in Chromium", () => {
  let browser: Browser;
  let instance: DemoInstance;

  beforeAll(async () => {
    [browser, instance] = await Promise.all([launchBrowser(), startDemoInstance()]);
  });

  afterAll(async () => {
    await browser?.close();
    await instance?.stop();
  });

  const heading = (page: Page) => page.locator("h1").first().textContent();

  async function logInToBoth(page: Page): Promise<void> {
    const { spUrl, idpUrl, oidcRpUrl } = instance.demo;
    await page.goto(`${spUrl}/`);
    await page.getByRole("button", { name: "Log ind / Log in" }).click();
    await page.getByRole("button", { name: "Demo Kommune" }).click();
    await page.waitForURL(`${idpUrl}/**`);
    await page.locator('button[name="user"][value="hanne"]').click();
    await page.waitForURL(`${spUrl}/acs`);
    await expect.poll(() => heading(page)).toBe("Logget ind / Logged in");
    // The OIDC fagsystem is answered from the broker's session: no chooser, no IdP.
    await page.goto(`${oidcRpUrl}/`);
    await page.getByRole("link", { name: "Log ind / Log in" }).click();
    await page.waitForURL(`${oidcRpUrl}/`);
    await expect.poll(() => heading(page)).toBe("Logget ind / Logged in");
  }

  it("logout at the OIDC fagsystem logs Hanne out of the SAML fagsystem in a frame, then the IdP", async () => {
    const { context, page, cspViolations } = await freshPage(browser);
    await logInToBoth(page);
    await page.getByRole("link", { name: "Log ud / Log out" }).click();
    await page.getByRole("button", { name: "Log ud / Log out" }).click();
    await expect.poll(() => heading(page), { timeout: 15_000 }).toBe("Du er logget ud / You are logged out");
    const results = await page.locator("#logout-results li").allTextContents();
    expect(results).toEqual(["Demo OIDC-fagsystem: logget ud / logged out", "Demo fagsystem: logget ud / logged out", "Demo Kommune: logget ud / logged out"]);
    await page.getByRole("link", { name: "Tilbage til systemet / Back to the system" }).click();
    await page.waitForURL(`${instance.demo.oidcRpUrl}/logged-out`);
    // The SAML fagsystem's session ended in the frame: its "Log ud" finds nobody.
    const check = await context.request.post(`${instance.demo.spUrl}/logout`);
    expect(await check.text()).toContain("Ikke logget ind / Not logged in");
    expect(cspViolations).toEqual([]);
    await context.close();
  });

  it("the SAML fagsystem's Log ud button ends the session everywhere and shows it", async () => {
    const { context, page, cspViolations } = await freshPage(browser);
    await logInToBoth(page);
    await page.goto(`${instance.demo.spUrl}/login`);
    await expect.poll(() => heading(page)).toBe("Logget ind / Logged in");
    await page.getByRole("button", { name: "Log ud / Log out" }).click();
    await expect.poll(() => heading(page)).toBe("Du er logget ud / You are logged out");
    const results = await page.locator("#logout-results li").allTextContents();
    expect(results).toEqual(["Demo fagsystem: logget ud / logged out", "Demo OIDC-fagsystem: logget ud / logged out", "Demo Kommune: logget ud / logged out"]);
    await page.getByRole("link", { name: "Tilbage til systemet / Back to the system" }).click();
    await expect.poll(() => heading(page)).toBe("Logget ud / Logged out");
    await page.goto(`${instance.demo.oidcRpUrl}/`);
    await expect.poll(() => heading(page)).toBe("Demo OIDC-fagsystem");
    expect(cspViolations).toEqual([]);
    await context.close();
  });
});
