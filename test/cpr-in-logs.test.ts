/**
 * No CPR number in the broker's log or audit lines: a demo run whose users
 * carry (made-up) CPR numbers from their municipal IdP and from NemLog-in,
 * with the step-up bound by CPR (so the numbers pass through the broker),
 * logins answered and refused, over SAML and OpenID Connect, and a replayed
 * Response. The only place a CPR number may be is NemLog-in's messages as
 * received (the `xml` of a `nemlogin-message` record), which NemLog-in
 * requires to be kept.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureLogLines } from "./support/log-lines.js";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { startDemoInstance, type DemoInstance } from "./support/demo-instance.js";
import { Browser, unescapeHtml, type Page } from "./support/http-browser.js";
import { DEMO_USERS } from "../src/demo/demo-users.js";
import { DEMO_MITID_IDENTITIES, VEST_USERS } from "../src/demo/demo-step-up.js";

/** Every demo CPR number, as sent and in the other spelling (with or without the dash). */
const CPRS = [...DEMO_USERS, ...VEST_USERS, ...DEMO_MITID_IDENTITIES]
  .map((p) => p.cpr)
  .filter((c): c is string => c !== undefined)
  .flatMap((cpr) => {
    const digits = cpr.replace("-", "");
    return [digits, `${digits.slice(0, 6)}-${digits.slice(6)}`];
  });

function cprIn(text: string): string | undefined {
  return CPRS.find((cpr) => text.includes(cpr));
}

describe("no CPR number in any log or audit line of a demo run", () => {
  let demo: DemoInstance;
  const { destination, lines } = captureLogLines();

  beforeAll(async () => {
    demo = await startDemoInstance({
      logDestination: destination,
      logLevel: "debug",
      // The step-up bound by CPR: the number is read from both assertions and compared.
      configure: (config) => ({ ...config, identityProviders: config.identityProviders.map((p) => (p.id === "vest-kommune" ? { ...p, stepUpBinding: "cpr" as const } : p)) }),
    });
  }, 120_000);

  afterAll(async () => {
    await demo?.stop();
  }, 30_000);

  async function toIdp(browser: Browser, idp: string): Promise<Page> {
    const chooser = await browser.follow(await browser.get(`${demo.demo.spUrl}/login`));
    return browser.follow(await browser.submit(chooser, { idp }));
  }

  async function finish(browser: Browser, page: Page): Promise<Page> {
    let current = page;
    for (let pages = 0; !current.url.startsWith(demo.demo.spUrl) && pages < 4; pages++) current = await browser.submit(current);
    return current;
  }

  it("runs logins that carry CPR numbers: answered, refused, stepped up by CPR, over SAML and OIDC, and a replay", async () => {
    expect(CPRS.length).toBeGreaterThanOrEqual(8);
    const hanne = new Browser();
    const toBroker = await hanne.submit(await toIdp(hanne, "demo-kommune"), { user: "hanne" });
    expect((await finish(hanne, toBroker)).body).toContain("Logged in</h1>");
    const peter = new Browser();
    expect((await finish(peter, await peter.submit(await toIdp(peter, "demo-kommune"), { user: "peter" }))).body).toContain("Logged in</h1>");
    const robot = new Browser();
    expect((await finish(robot, await robot.submit(await toIdp(robot, "demo-kommune"), { user: "robot" }))).body).toContain("Not logged in</h1>");

    // Karen steps up through NemLog-in, bound by her CPR number; Ole (another CPR) is refused.
    const karen = new Browser();
    const nemlogin = await karen.submit(await karen.submit(await toIdp(karen, "vest-kommune"), { user: "karen" }));
    expect((await finish(karen, await karen.submit(nemlogin, { identity: "karen" }))).body).toContain("Logged in</h1>");
    const ole = new Browser();
    const oleAtNemLogIn = await ole.submit(await ole.submit(await toIdp(ole, "vest-kommune"), { user: "karen" }));
    expect((await finish(ole, await ole.submit(oleAtNemLogIn, { identity: "ole" }))).body).toContain("Not logged in</h1>");

    const nina = new Browser();
    await finish(nina, await nina.submit(await toIdp(nina, "nord-kommune"), { user: "nina" }));

    // Hanne's Response again: refused as a replay.
    const replayed = await fetch(`${demo.brokerUrl}/saml/acs`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ SAMLResponse: unescapeHtml(/name="SAMLResponse" value="([^"]*)"/.exec(toBroker.body)?.[1] ?? "") }).toString(),
    });
    expect(replayed.status).toBe(400);
  }, 90_000);

  it("finds none in the log", async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const events = new Set(lines.map((l) => (JSON.parse(l) as Record<string, unknown>)["event"]));
    for (const event of ["login_succeeded", "login_failed", "step_up_bound", "step_up_refused"]) expect(events).toContain(event);
    expect(lines.filter((line) => cprIn(line) !== undefined)).toEqual([]);
  });

  it("finds none in the audit file, and in NemLog-in's kept messages only inside the raw XML", () => {
    const audit = readFileSync(demo.auditFile, "utf8").trim().split("\n");
    expect(audit.length).toBeGreaterThan(5);
    expect(audit.filter((line) => cprIn(line) !== undefined)).toEqual([]);
    const messagesFile = join(dirname(demo.auditFile), "nemlogin-messages.jsonl");
    expect(existsSync(messagesFile)).toBe(true);
    const messages = readFileSync(messagesFile, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(messages.length).toBeGreaterThanOrEqual(4);
    for (const message of messages) expect(cprIn(JSON.stringify({ ...message, xml: undefined }))).toBeUndefined();
  });
});
