/**
 * The municipality chooser's search in a real browser: without JavaScript a
 * plain GET form filters by name or CVR; with it, the list filters as one
 * types; the label names the field and the search comes before the list in
 * the focus order. The login then goes on from the filtered list.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync } from "node:fs";
import type { Browser } from "playwright-core";
import { launchBrowser, freshPage } from "../support/browser.js";
import { startDemoInstance, type DemoInstance } from "../support/demo-instance.js";

const SCREENSHOTS = "test-output/screenshots";

describe("the chooser's search in Chromium", () => {
  let browser: Browser;
  let instance: DemoInstance;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    [browser, instance] = await Promise.all([launchBrowser(), startDemoInstance()]);
  });

  afterAll(async () => {
    await browser?.close();
    await instance?.stop();
  });

  it("filters as one types, and the login goes on from the filtered list", async () => {
    const { context, page, cspViolations } = await freshPage(browser);
    await page.goto(`${instance.demo.spUrl}/login`);
    await expect.poll(() => page.locator("h1").first().textContent()).toContain("Vælg din kommune");
    expect(await page.locator("#idp-list li").count()).toBeGreaterThan(2);
    // Tab from the top reaches the search field before any municipality's button.
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("idp-search");
    await page.getByLabel(/Søg efter kommune/).fill("29189846");
    await expect.poll(() => page.locator("#idp-list li:not([hidden])").count()).toBe(1);
    await page.screenshot({ path: `${SCREENSHOTS}/chooser-search.png`, fullPage: true });
    await page.getByRole("button", { name: "Demo Kommune" }).click();
    await page.waitForURL(`${instance.demo.idpUrl}/**`);
    await page.locator('button[name="user"][value="hanne"]').click();
    await page.waitForURL(`${instance.demo.spUrl}/acs`);
    await expect.poll(() => page.locator("h1").first().textContent()).toBe("Logget ind / Logged in");
    expect(cspViolations).toEqual([]);
    await context.close();
  });

  it("filters without JavaScript as a GET form, and the choice still completes the login", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${instance.demo.spUrl}/login`);
    await page.getByLabel(/Søg efter kommune/).fill("demo");
    await page.getByRole("button", { name: "Søg / Search" }).click();
    await page.waitForURL(/\/login\/choose\?/);
    expect(await page.locator("#idp-list li").allTextContents()).toEqual(["Demo Kommune"]);
    await page.getByRole("button", { name: "Demo Kommune" }).click();
    await page.waitForURL(`${instance.demo.idpUrl}/**`);
    expect(await page.locator("h1").first().textContent()).toBe("Demo Kommune");
    await context.close();
  });
});
