/**
 * The IdP self-check in a real browser: the chooser's search (without and
 * with JavaScript), the test login at Demo Kommune's IdP, and the report
 * page with its JSON download, under the broker's Content-Security-Policy.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync } from "node:fs";
import type { Browser } from "playwright-core";
import { launchBrowser, freshPage } from "../support/browser.js";
import { startDemoInstance, type DemoInstance } from "../support/demo-instance.js";
import { axeViolations } from "../support/axe.js";

const SCREENSHOTS = "test-output/screenshots";

describe("the IdP self-check in Chromium", () => {
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

  it("filters the municipalities by name or CVR as a plain GET form, and as one types", async () => {
    const { context, page, cspViolations } = await freshPage(browser);
    await page.goto(`${instance.brokerUrl}/selfcheck?q=29189846`);
    await expect.poll(() => page.locator("#idp-list li").count()).toBe(1);
    expect(await page.locator("#idp-list button").textContent()).toContain("Demo Kommune");

    await page.goto(`${instance.brokerUrl}/selfcheck`);
    const all = await page.locator("#idp-list li").count();
    expect(all).toBeGreaterThan(1);
    // The label names the field; typing filters the list without a round trip.
    await page.getByLabel(/Søg efter kommune/).fill("demo kom");
    await expect.poll(() => page.locator("#idp-list li:not([hidden])").count()).toBe(1);
    await expect.poll(() => page.locator("#idp-count").textContent()).toContain("1 kommune");
    expect(cspViolations).toEqual([]);
    await context.close();
  });

  it("runs a self-check at Demo Kommune's IdP: every check passes, the report downloads as JSON", async () => {
    const { context, page, cspViolations } = await freshPage(browser);
    await page.goto(`${instance.brokerUrl}/selfcheck`);
    await page.screenshot({ path: `${SCREENSHOTS}/selfcheck-chooser.png`, fullPage: true });
    // Ask the IdP for NSIS Substantial: it sees the class in the signed request.
    expect(await page.getByRole("radio", { name: /Intet niveau/ }).isChecked()).toBe(true);
    await page.getByRole("radio", { name: "NSIS Substantial" }).check();
    await page.getByRole("button", { name: /Demo Kommune/ }).click();

    await page.waitForURL(`${instance.demo.idpUrl}/**`);
    expect(await page.locator("code").first().textContent()).toBe("https://data.gov.dk/concept/core/nsis/loa/Substantial");
    await page.locator('button[name="user"][value="hanne"]').click();

    await page.waitForURL(`${instance.brokerUrl}/selfcheck/report/**`);
    await expect.poll(() => page.locator("h1").first().textContent()).toContain("Selvtjek-rapport");
    await page.screenshot({ path: `${SCREENSHOTS}/selfcheck-report-demo-kommune.png`, fullPage: true });
    const failing = await page.locator("tr.fail, tr.warn").allTextContents();
    expect(failing).toEqual([]);
    expect(await page.locator(".overall strong").textContent()).toBe("OK / Pass");
    expect(await page.getByText(/Bedt om niveau \/ Requested level/).textContent()).toContain("NSIS Substantial");
    expect(await axeViolations(page)).toEqual([]);

    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: /Hent som JSON/ }).click();
    const file = await download;
    const stream = await file.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const report = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { overall: string; idp: { id: string }; checks: Array<{ id: string }> };
    expect(report.overall).toBe("pass");
    expect(report.idp.id).toBe("demo-kommune");
    expect(report.checks.map((c) => c.id)).toEqual(expect.arrayContaining(["trust.answer-verified", "algorithms.signature", "privileges.bpp", "privileges.fagsystem.demo-fagsystem", "levels.asserted", "levels.requested", "clock.skew"]));
    // The algorithms as the answer really used them: the demo IdP encrypts with AES-GCM and RSA-OAEP.
    expect(JSON.stringify(report.checks.find((c) => c.id === "algorithms.encryption"))).toMatch(/aes256-gcm.*rsa-oaep/);
    expect(cspViolations).toEqual([]);

    // Another browser cannot read the report.
    const other = await freshPage(browser);
    const response = await other.page.goto(page.url());
    expect(response?.status()).toBe(404);
    await other.context.close();
    await context.close();
  });

  it("finds Fejl Kommune's mistakes and says what to do about each", async () => {
    const { context, page, cspViolations } = await freshPage(browser);
    await page.goto(`${instance.brokerUrl}/selfcheck?q=fejl`);
    await page.getByRole("button", { name: /Fejl Kommune/ }).click();
    await page.waitForURL(`${instance.demo.fejlIdpUrl ?? "(not started)"}/**`);
    await page.locator('button[name="user"][value="frede"]').click();

    await page.waitForURL(`${instance.brokerUrl}/selfcheck/report/**`);
    await page.screenshot({ path: `${SCREENSHOTS}/selfcheck-report-fejl-kommune.png`, fullPage: true });
    expect(await page.locator(".overall strong").textContent()).toBe("Fejl / Fail");
    const row = (title: RegExp) => page.locator("tr", { has: page.locator("td strong", { hasText: title }) });
    // The certificate expires within 30 days.
    expect(await row(/signeringscertifikat 1/).getAttribute("class")).toBe("warn");
    expect(await row(/signeringscertifikat 1/).textContent()).toContain("Renew the certificate");
    // SHA-1 is allowed by the registration.
    expect(await row(/Signaturalgoritme/).getAttribute("class")).toBe("warn");
    // The roles are scoped to the neighbour's CVR.
    expect(await row(/Rettigheder/).getAttribute("class")).toBe("fail");
    expect(await row(/Rettigheder/).textContent()).toContain("11223344");
    expect(await row(/Rettigheder/).textContent()).toContain("Scope the roles to the municipality's CVR (77889900)");
    // NameFormat basic on CVR and email, no KombitSpecVer; no level was asked for.
    expect(await row(/NameFormat/).getAttribute("class")).toBe("warn");
    expect(await row(/KombitSpecVer/).getAttribute("class")).toBe("warn");
    expect(await page.getByText(/Bedt om niveau \/ Requested level/).textContent()).toContain("intet / none");
    // No NSIS level.
    expect(await row(/Sikringsniveau \(NSIS\/NIST\)/).getAttribute("class")).toBe("warn");
    expect(cspViolations).toEqual([]);
    await context.close();
  });

  it.each([
    { idp: "Sky Kommune", user: "sofie" },
    { idp: "Vest Kommune", user: "karen" },
    { idp: "Nord Kommune", user: "nina" },
  ])("runs a self-check at $idp (SAML or OpenID Connect) to a report without failures", async ({ idp, user }) => {
    const { context, page, cspViolations } = await freshPage(browser);
    await page.goto(`${instance.brokerUrl}/selfcheck`);
    await page.getByRole("button", { name: new RegExp(idp) }).click();
    await page.locator(`button[name="user"][value="${user}"]`).click();
    await page.waitForURL(`${instance.brokerUrl}/selfcheck/report/**`);
    expect(await page.locator("h1").first().textContent()).toContain(idp);
    expect(await page.locator("tr.fail").allTextContents()).toEqual([]);
    expect(cspViolations).toEqual([]);
    await context.close();
  });

  it("has no WCAG 2 A/AA violations (axe-core) on the chooser, the reports with every verdict, and the error pages", async () => {
    const { context, page, cspViolations } = await freshPage(browser);
    await page.goto(`${instance.brokerUrl}/selfcheck`);
    expect(await axeViolations(page)).toEqual([]);
    // The harness finds what it should: a field without a label is a violation.
    await page.evaluate(() => document.body.append(Object.assign(document.createElement("input"), { type: "text" })));
    expect((await axeViolations(page)).map((v) => v.id)).toContain("label");
    await page.goto(`${instance.brokerUrl}/selfcheck?q=ingen-kommune-hedder-sådan`);
    expect(await axeViolations(page)).toEqual([]);
    // Fejl Kommune's report shows pass, warn and fail rows.
    await page.goto(`${instance.brokerUrl}/selfcheck?q=fejl`);
    await page.getByRole("button", { name: /Fejl Kommune/ }).click();
    await page.locator('button[name="user"][value="frede"]').click();
    await page.waitForURL(`${instance.brokerUrl}/selfcheck/report/**`);
    expect(await page.locator("tr.pass").count()).toBeGreaterThan(0);
    expect(await page.locator("tr.warn").count()).toBeGreaterThan(0);
    expect(await page.locator("tr.fail").count()).toBeGreaterThan(0);
    expect(await axeViolations(page)).toEqual([]);
    // Printed, the report keeps its tables and loses the links, buttons and forms.
    await page.emulateMedia({ media: "print" });
    expect(await page.locator("table.report").first().isVisible()).toBe(true);
    expect(await page.getByRole("link", { name: /Hent som JSON/ }).isVisible()).toBe(false);
    const printed = await page.evaluate(() => {
      const form = document.body.appendChild(document.createElement("form"));
      const button = document.body.appendChild(document.createElement("button"));
      const shown = [getComputedStyle(form).display, getComputedStyle(button).display];
      form.remove();
      button.remove();
      return shown;
    });
    expect(printed).toEqual(["none", "none"]);
    expect(await axeViolations(page)).toEqual([]);
    await page.emulateMedia({ media: "screen" });
    // The error pages the self-check leads to: an unknown or expired report, an unknown IdP.
    const missing = await page.goto(`${instance.brokerUrl}/selfcheck/report/${"A".repeat(24)}`);
    expect(missing?.status()).toBe(404);
    expect(await axeViolations(page)).toEqual([]);
    await page.goto(`${instance.brokerUrl}/selfcheck`);
    await page.locator("#idp-list button").first().evaluate((button) => button.setAttribute("value", "not-registered"));
    await page.locator("#idp-list button").first().click();
    await expect.poll(() => page.locator("h1").textContent()).toContain("Ukendt IdP");
    expect(await axeViolations(page)).toEqual([]);
    expect(cspViolations).toEqual([]);
    await context.close();
  });
});
