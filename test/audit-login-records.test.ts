/**
 * The audit trail of the demo: every login that ends, answered or refused,
 * appends exactly one login record to the audit file (identifiers, levels
 * asked and proved, privileges released, the upstream assertion ids, the
 * reason for a refusal), and `explain` reads it back. A Response refused
 * before any login is found belongs to no login and writes none.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { startDemoInstance, type DemoInstance } from "./support/demo-instance.js";
import { Browser, unescapeHtml, type Page } from "./support/http-browser.js";
import { LOGIN_KIND, type LoginRecord } from "../src/observability/audit.js";
import { findLogins, formatLogin } from "../src/cli/explain-login.js";

/** The SAMLResponse the IdP's auto-POST page carries to the broker. */
function samlResponseOn(page: Page): string {
  return unescapeHtml(/<input type="hidden" name="SAMLResponse" value="([^"]*)">/.exec(page.body)?.[1] ?? "");
}

describe("login records in the audit file", () => {
  let demo: DemoInstance;

  beforeAll(async () => {
    demo = await startDemoInstance();
  }, 120_000);

  afterAll(async () => {
    await demo?.stop();
  }, 30_000);

  function loginRecords(): LoginRecord[] {
    if (!existsSync(demo.auditFile)) return [];
    return readFileSync(demo.auditFile, "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => JSON.parse(line) as LoginRecord)
      .filter((record) => record.kind === LOGIN_KIND);
  }

  /** Runs one login; expects exactly one new login record and returns it. */
  async function oneRecord(run: () => Promise<void>): Promise<LoginRecord> {
    const before = loginRecords().length;
    await run();
    const added = loginRecords().slice(before);
    expect(added).toHaveLength(1);
    return added[0]!;
  }

  async function toIdp(browser: Browser, idp: string): Promise<Page> {
    return browser.submit(await browser.follow(await browser.get(`${demo.demo.spUrl}/login`)), { idp });
  }

  let captured = "";

  it("records an answered login: organisation, person id, levels, privileges released, the IdP's assertion", async () => {
    const record = await oneRecord(async () => {
      const browser = new Browser();
      const toBroker = await browser.submit(await toIdp(browser, "demo-kommune"), { user: "hanne" });
      captured = samlResponseOn(toBroker);
      expect((await browser.submit(await browser.submit(toBroker))).body).toContain("Logged in</h1>");
    });
    expect(record).toMatchObject({ outcome: "succeeded", entry: "resume", sp: "demo-fagsystem", idp: "demo-kommune", cvr: "29189846", personId: "8c1d7e5e-3f0a-4b8e-9c51-0d2a7e4b6f11" });
    expect(record.levelAsked).toEqual({ kind: "nsis", minimum: "Substantial" });
    expect(record.loginLevel).toMatchObject({ nsis: "Substantial" });
    expect(record.privilegesReleased).toBe(1);
    expect(record.evidence).toHaveLength(1);
    expect(record.evidence[0]).toMatchObject({ upstream: "demo-kommune" });
    expect(record.reason).toBeUndefined();

    const text = readFileSync(demo.auditFile, "utf8");
    expect(findLogins(text, record.correlationId)).toEqual([record]);
    expect(formatLogin(record)).toContain(`login ${record.correlationId} at ${record.at}: answered`);
  });

  it("records a refusal by policy with its reason and the evidence it rests on", async () => {
    const record = await oneRecord(async () => {
      const browser = new Browser();
      const result = await browser.submit(await browser.submit(await browser.submit(await toIdp(browser, "demo-kommune"), { user: "robot" })));
      expect(result.body).toContain("Not logged in</h1>");
    });
    expect(record).toMatchObject({ outcome: "refused", sp: "demo-fagsystem", idp: "demo-kommune", cvr: "29189846", privilegesReleased: 0 });
    expect(typeof record.reason).toBe("string");
    expect(record.evidence).toHaveLength(1);
    expect(formatLogin(record)).toContain(`refused (${record.reason})`);
  });

  it("records a stepped-up login with both assertions, and a refused step-up once", async () => {
    const bound = await oneRecord(async () => {
      const browser = new Browser();
      const nemlogin = await browser.submit(await browser.submit(await toIdp(browser, "vest-kommune"), { user: "karen" }));
      const result = await browser.submit(await browser.submit(await browser.submit(nemlogin, { identity: "karen" })));
      expect(result.body).toContain("Logged in</h1>");
    });
    expect(bound).toMatchObject({ outcome: "succeeded", idp: "vest-kommune", cvr: "44556677" });
    expect(bound.evidence.map((e) => e.upstream)).toEqual(["vest-kommune", "nemlogin"]);

    const refused = await oneRecord(async () => {
      const browser = new Browser();
      const nemlogin = await browser.submit(await browser.submit(await toIdp(browser, "vest-kommune"), { user: "karen" }));
      expect((await browser.submit(await browser.submit(await browser.submit(nemlogin, { identity: "ole" })))).body).toContain("Not logged in</h1>");
    });
    expect(refused).toMatchObject({ outcome: "refused", idp: "vest-kommune" });
    expect(refused.reason).toMatch(/step_up/);
  });

  it("writes no record for a Response that belongs to no login (a replay)", async () => {
    expect(captured).not.toBe("");
    const before = loginRecords().length;
    const response = await fetch(`${demo.brokerUrl}/saml/acs`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ SAMLResponse: captured }).toString(),
      redirect: "manual",
    });
    expect(response.status).toBe(400);
    expect(loginRecords()).toHaveLength(before);
  });
});
