/**
 * The demo IdP's scenario choice in a real browser: the person picks an
 * answer broken on purpose (a lower level than required), logs in as Hanne;
 * the broker's page says why, and the demo fagsystem that it was not logged
 * in. The normal answer is the default. No CSP violation on the way.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser, freshPage } from "../support/browser.js";
import { startDemoInstance, type DemoInstance } from "../support/demo-instance.js";
import { DEMO_SCENARIOS } from "../../src/demo/demo-scenarios.js";

describe("the demo IdP's scenarios in Chromium", () => {
  let browser: Browser;
  let instance: DemoInstance;

  beforeAll(async () => {
    [browser, instance] = await Promise.all([launchBrowser(), startDemoInstance()]);
  });

  afterAll(async () => {
    await browser?.close();
    await instance?.stop();
  });

  it("offers the broken answers labelled as such, and a lower level than required reaches the fagsystem as a refusal", async () => {
    const { context, page, cspViolations } = await freshPage(browser);
    await page.goto(`${instance.demo.spUrl}/login`);
    await page.getByRole("button", { name: "Demo Kommune" }).click();
    await page.waitForURL(`${instance.demo.idpUrl}/**`);

    const scenario = page.getByLabel("Svar / Answer");
    expect(await scenario.inputValue()).toBe("normal");
    const labels = await scenario.locator("option").allTextContents();
    expect(labels[0]).toBe("Normalt svar / Normal answer");
    expect(labels.slice(1).every((label) => label.startsWith("FEJL MED VILJE / BROKEN ON PURPOSE: "))).toBe(true);
    // Every scenario of the catalogue, the normal answer first.
    expect(labels).toHaveLength(DEMO_SCENARIOS.length);

    await scenario.selectOption({ label: "FEJL MED VILJE / BROKEN ON PURPOSE: lavere niveau end krævet / a lower level than requested (NSIS Low, NIST 2)" });
    await page.locator('button[name="user"][value="hanne"]').click();

    // The broker tells the person why, and sends the fagsystem its error status when the person goes back.
    await page.waitForURL(`${instance.brokerUrl}/saml/acs`);
    await expect.poll(() => page.locator("h1").first().textContent()).toBe("Login kunne ikke gennemføres / The login could not be completed");
    expect(await page.content()).toContain("Dit login har ikke det sikringsniveau, systemet kræver. / Your login does not have the assurance level the system requires.");
    await page.getByRole("button", { name: "Tilbage til systemet / Back to the system" }).click();

    await page.waitForURL(`${instance.demo.spUrl}/acs`);
    await expect.poll(() => page.locator("h1").first().textContent()).toBe("Ikke logget ind / Not logged in");
    expect(await page.content()).toContain("NoAuthnContext");
    expect(cspViolations).toEqual([]);
    await context.close();
  });
});
