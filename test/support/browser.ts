/**
 * A real browser for the pages a person sees: Debian's Chromium driven by
 * playwright-core (scripts/ensure-test-deps.sh installs it). Flags keep it
 * from reaching out to the network at start; every test gets a fresh
 * context (no cookies shared between tests).
 */
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { existsSync } from "node:fs";

const CHROMIUM = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: run "bash scripts/ensure-test-deps.sh" (or set CHROMIUM_PATH)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** A fresh context and page, with every CSP violation the page reports collected. */
export async function freshPage(browser: Browser): Promise<{ context: BrowserContext; page: Page; cspViolations: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cspViolations: string[] = [];
  page.on("console", (message) => {
    const text = message.text();
    if (/Content Security Policy/i.test(text)) cspViolations.push(text);
  });
  return { context, page, cspViolations };
}
