/**
 * The browser binding of upstream logins, end to end through the demo's real
 * parties over HTTP (plain http on one host, so the demo runs it as "always"
 * with SameSite=Lax cookies): the municipal IdP (SAML), NemLog-in's step-up
 * and the Entra ID municipality (OIDC) each answer into the browser that was
 * sent there, or the answer is refused; two logins at once in one browser
 * both complete.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoInstance, type DemoInstance } from "../support/demo-instance.js";
import { Browser, type Page } from "../demo/demo-browser.js";

const UNBOUND = "kom ikke tilbage til den browser, der startede loginet";

describe("upstream answers are bound to the browser sent to the upstream (demo, upstreamBrowserBinding: always)", () => {
  let instance: DemoInstance;

  beforeAll(async () => {
    instance = await startDemoInstance({ configure: (config) => ({ ...config, upstreamBrowserBinding: "always" }) });
  });

  afterAll(async () => {
    await instance?.stop();
  });

  async function atIdp(browser: Browser, idp: string): Promise<Page> {
    const chooser = await browser.follow(await browser.get(`${instance.demo.spUrl}/login`));
    if (!chooser.body.includes(`value="${idp}"`)) return chooser; // remembered municipality: straight on
    return browser.follow(await browser.submit(chooser, { idp }));
  }

  /** Follows the broker's pages (auto-POSTs, a notice) to the fagsystem's answer. */
  async function toFagsystem(browser: Browser, page: Page): Promise<Page> {
    let current = page;
    for (let pages = 0; current.url.startsWith(instance.brokerUrl) && pages < 3; pages++) current = await browser.submit(current);
    return current;
  }

  it("Demo Kommune (SAML): the same browser is logged in; the IdP's answer carried to another browser is refused", async () => {
    const person = new Browser();
    const idpForm = await atIdp(person, "demo-kommune");
    expect(person.jar.names().some((n) => n.startsWith("broker_upbind_"))).toBe(true);
    const answer = await person.submit(idpForm, { user: "hanne" });
    expect(answer.body).toContain(`action="${instance.brokerUrl}/saml/acs"`);

    const other = new Browser();
    const refused = await other.submit(answer);
    expect(refused.body).toContain(UNBOUND);
    expect(refused.body).toMatch(/[0-9a-f-]{36}/);
    expect((await toFagsystem(other, refused)).body).toContain("<h1>Ikke logget ind / Not logged in</h1>");

    const attacker = new Browser();
    const attackersAnswer = await attacker.submit(await atIdp(attacker, "demo-kommune"), { user: "hanne" });
    const own = await toFagsystem(person, await person.submit(attackersAnswer));
    expect(own.body).toContain("<h1>Ikke logget ind / Not logged in</h1>");
  });

  it("two logins at once in one browser both complete (each has its own cookie)", async () => {
    const browser = new Browser();
    const firstForm = await atIdp(browser, "demo-kommune");
    const secondForm = await atIdp(browser, "demo-kommune");
    expect(browser.jar.names().filter((n) => n.startsWith("broker_upbind_"))).toHaveLength(2);
    const second = await browser.submit(secondForm, { user: "hanne" });
    const first = await browser.submit(firstForm, { user: "hanne" });
    const secondAtBroker = await browser.submit(second);
    expect(secondAtBroker.body).not.toContain(UNBOUND);
    expect(secondAtBroker.body).toContain(`action="${instance.demo.spUrl}/acs"`);
    const firstAtBroker = await browser.submit(first);
    expect(firstAtBroker.body).not.toContain(UNBOUND);
    expect(firstAtBroker.body).toContain(`action="${instance.demo.spUrl}/acs"`);
    expect(firstAtBroker.body).toContain('name="SAMLResponse"');
    expect(browser.jar.names().filter((n) => n.startsWith("broker_upbind_"))).toHaveLength(0);
  });

  it("Vest Kommune's step-up: NemLog-in's answer is bound too (its own cookie), refused in another browser", async () => {
    const browser = new Browser();
    const toBroker = await browser.submit(await atIdp(browser, "vest-kommune"), { user: "karen" });
    const nemlogin = await browser.submit(toBroker);
    expect(nemlogin.body).toContain("<h1>NemLog-in (demo)</h1>");
    const fromNemLogIn = await browser.submit(nemlogin, { identity: "karen" });
    expect(fromNemLogIn.body).toContain(`action="${instance.brokerUrl}/saml/acs"`);
    const refused = await new Browser().submit(fromNemLogIn);
    expect(refused.body).toContain(UNBOUND);

    const again = new Browser();
    const nemloginAgain = await again.submit(await again.submit(await atIdp(again, "vest-kommune"), { user: "karen" }));
    const done = await toFagsystem(again, await again.submit(await again.submit(nemloginAgain, { identity: "karen" })));
    expect(done.body).toContain("<h1>Logget ind / Logged in</h1>");
  });

  it("Nord Kommune (OIDC): the authorization response carried to another browser is refused", async () => {
    const browser = new Browser();
    const opPage = await atIdp(browser, "nord-kommune");
    expect(opPage.url.startsWith(instance.demo.nordOpUrl ?? "-")).toBe(true);
    const cookie = browser.jar.names().find((n) => n.startsWith("broker_upbind_"));
    expect(cookie).toBeDefined();
    const formPost = await browser.submit(opPage, { user: "nina" });
    expect(formPost.body).toContain(`action="${instance.brokerUrl}/oidc-rp/callback"`);
    const refused = await new Browser().submit(formPost);
    expect(refused.body).toContain(UNBOUND);

    const same = new Browser();
    const sameForm = await same.submit(await atIdp(same, "nord-kommune"), { user: "nina" });
    const answered = await same.submit(sameForm);
    expect(answered.body).not.toContain(UNBOUND);
    expect(same.jar.names().filter((n) => n.startsWith("broker_upbind_"))).toHaveLength(0);
  });
});
