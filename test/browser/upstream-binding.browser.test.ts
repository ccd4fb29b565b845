/**
 * The upstream browser binding in Chromium, with the broker served over
 * https (a TLS proxy in front of the demo broker, at https://localhost) and
 * the demo IdP and fagsystem on http://127.0.0.1: the IdP's answer is a real
 * cross-site POST, which carries the SameSite=None; Secure cookie the broker
 * set (upstreamBrowserBinding: auto). A Response captured in one browser and
 * posted from another is refused; two tabs log in at once.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import { request as httpRequest } from "node:http";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchBrowser } from "../support/browser.js";
import { startDemoInstance, type DemoInstance } from "../support/demo-instance.js";
import { testKey } from "../support/keys.js";
import { freePort } from "../../scripts/lib/redis-server.js";

// The demo parties fetch the broker's metadata over https from this process: its certificate is the test's own.
process.env["NODE_TLS_REJECT_UNAUTHORIZED"] = "0";

const UNBOUND = "kom ikke tilbage til den browser, der startede loginet";

/** An https front for the broker: every request forwarded as it came to the broker's plain-http port. */
async function tlsProxy(port: number, target: () => number): Promise<HttpsServer> {
  const tls = await testKey("tls-localhost");
  const server = createHttpsServer({ key: tls.privateKeyPem, cert: tls.certificatePem }, (req, res) => {
    const upstream = httpRequest({ host: "127.0.0.1", port: target(), method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
      answer.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return server;
}

describe("upstream browser binding in Chromium, broker over https", () => {
  let browser: Browser;
  let instance: DemoInstance;
  let proxy: HttpsServer;
  let brokerUrl: string;

  beforeAll(async () => {
    const proxyPort = await freePort();
    let brokerPort = 0;
    brokerUrl = `https://localhost:${proxyPort}`;
    proxy = await tlsProxy(proxyPort, () => brokerPort);
    [browser, instance] = await Promise.all([
      launchBrowser(),
      startDemoInstance({
        configure: (config) => {
          brokerPort = config.port;
          return { ...config, baseUrl: brokerUrl, upstreamBrowserBinding: "auto" };
        },
      }),
    ]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await instance?.stop();
    await new Promise((resolve) => proxy?.close(resolve));
  });

  async function context(): Promise<BrowserContext> {
    return browser.newContext({ ignoreHTTPSErrors: true });
  }

  /** From the demo fagsystem to Demo Kommune's user list. */
  async function toIdp(page: Page): Promise<void> {
    await page.goto(`${instance.demo.spUrl}/login`);
    const choose = page.getByRole("button", { name: "Demo Kommune" });
    if (await choose.count()) await choose.click();
    await page.waitForURL(`${instance.demo.idpUrl}/**`);
  }

  it("sets a SameSite=None; Secure cookie for the ACS, which the IdP's cross-site POST carries: Hanne is logged in", async () => {
    const ctx = await context();
    const page = await ctx.newPage();
    await toIdp(page);
    const bound = (await ctx.cookies(brokerUrl + "/saml/acs")).filter((c) => c.name.startsWith("broker_upbind_"));
    expect(bound).toHaveLength(1);
    expect(bound[0]).toMatchObject({ sameSite: "None", secure: true, httpOnly: true, path: "/saml/acs", domain: "localhost" });
    await page.locator('button[name="user"][value="hanne"]').click();
    await page.waitForURL(`${instance.demo.spUrl}/acs`);
    await expect.poll(() => page.locator("h1").first().textContent()).toBe("Logget ind / Logged in");
    expect((await ctx.cookies(brokerUrl + "/saml/acs")).filter((c) => c.name.startsWith("broker_upbind_"))).toEqual([]);
    await ctx.close();
  });

  it("refuses the IdP's Response when another browser posts it (login CSRF), with a page naming the correlation id", async () => {
    // The attacker logs in, and keeps the Response instead of delivering it.
    const attacker = await context();
    const attackerPage = await attacker.newPage();
    let captured = "";
    await attackerPage.route(`${brokerUrl}/saml/acs`, async (route) => {
      captured = new URLSearchParams(route.request().postData() ?? "").get("SAMLResponse") ?? "";
      await route.abort();
    });
    await toIdp(attackerPage);
    await attackerPage.locator('button[name="user"][value="hanne"]').click();
    await expect.poll(() => captured).not.toBe("");

    // The victim's browser is made to post it (a page of the attacker's, submitting a form cross-site).
    const victim = await context();
    const victimPage = await victim.newPage();
    await victimPage.goto(`${instance.demo.spUrl}/`);
    await victimPage.setContent(
      `<form method="post" action="${brokerUrl}/saml/acs"><input type="hidden" name="SAMLResponse" value="${captured}"><button type="submit">go</button></form>`,
    );
    await victimPage.getByRole("button", { name: "go" }).click();
    await victimPage.waitForURL(`${brokerUrl}/saml/acs`);
    const body = await victimPage.content();
    expect(body).toContain(UNBOUND);
    expect(body).toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
    await attacker.close();
    await victim.close();
  });

  it("lets two tabs of one browser log in at once", async () => {
    const ctx = await context();
    const [first, second] = [await ctx.newPage(), await ctx.newPage()];
    await toIdp(first);
    await toIdp(second);
    expect((await ctx.cookies(brokerUrl + "/saml/acs")).filter((c) => c.name.startsWith("broker_upbind_"))).toHaveLength(2);
    await second.locator('button[name="user"][value="hanne"]').click();
    await second.waitForURL(`${instance.demo.spUrl}/acs`);
    await first.locator('button[name="user"][value="peter"]').click();
    await first.waitForURL(`${instance.demo.spUrl}/acs`);
    await expect.poll(() => second.locator("h1").first().textContent()).toBe("Logget ind / Logged in");
    await expect.poll(() => first.locator("h1").first().textContent()).toBe("Logget ind / Logged in");
    expect(await first.content()).toContain("Peter");
    await ctx.close();
  });
});
