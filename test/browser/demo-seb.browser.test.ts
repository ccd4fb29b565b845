/**
 * The demo SEB in a real browser: reached from the demo fagsystem's link,
 * Hanne's login ends on SEB's page with her CPR number; Sofie's (her Sky
 * Kommune IdP sends no CPR)
 * ends on the broker's page saying the CPR number is missing, with a
 * correlation id, and its button takes him back to SEB, which shows the
 * status. The browser enforces each page's Content-Security-Policy.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser, freshPage } from "../support/browser.js";
import { startDemoInstance, type DemoInstance } from "../support/demo-instance.js";

describe("the demo SEB in Chromium", () => {
  let browser: Browser;
  let instance: DemoInstance;
  let sebUrl: string;

  beforeAll(async () => {
    [browser, instance] = await Promise.all([launchBrowser(), startDemoInstance()]);
    sebUrl = instance.demo.sebUrl!;
  });

  afterAll(async () => {
    await browser?.close();
    await instance?.stop();
  });

  it("takes Hanne from the demo fagsystem's link to SEB, which shows her CPR number, with no CSP violation", async () => {
    const { context, page, cspViolations } = await freshPage(browser);
    await page.goto(`${instance.demo.spUrl}/`);
    await page.getByRole("link", { name: /^SEB/ }).click();
    await page.waitForURL(`${sebUrl}/`);
    await page.getByRole("button", { name: "Log ind til SEB / Log in to SEB" }).click();
    await page.getByRole("button", { name: "Demo Kommune" }).click();
    await page.locator('button[name="user"][value="hanne"]').click();
    await page.waitForURL(`${sebUrl}/acs`);
    await expect.poll(() => page.locator("h1").first().textContent()).toBe("Logget ind / Logged in");
    const content = await page.content();
    expect(content).toContain("dk:gov:saml:attribute:CprNumberIdentifier");
    expect(content).toContain("1502794412");
    expect(cspViolations).toEqual([]);
    await context.close();
  });

  it("shows Sofie (no CPR) the broker's page naming the missing CPR number, then takes her back to SEB", async () => {
    const { context, page, cspViolations } = await freshPage(browser);
    await page.goto(`${sebUrl}/login`);
    await page.getByRole("button", { name: "Sky Kommune" }).click();
    await page.locator('button[name="user"][value="sofie"]').click();
    await expect.poll(() => page.content()).toContain("The system requires your CPR number");
    expect(new URL(page.url()).origin).toBe(instance.brokerUrl);
    expect(await page.content()).toMatch(/correlation id: <code>[^<]+<\/code>/);
    await page.getByRole("button", { name: "Tilbage til systemet / Back to the system" }).click();
    await page.waitForURL(`${sebUrl}/acs`);
    await expect.poll(() => page.locator("h1").first().textContent()).toBe("Ikke logget ind / Not logged in");
    expect(cspViolations).toEqual([]);
    await context.close();
  });
});
