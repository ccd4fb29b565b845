/**
 * The self-check's access rules and its failure report, over real HTTP
 * against the running demo: off unless configured; only registered IdPs; an
 * IdP answer that fails verification gives a report naming the reason and
 * what to check, and never reaches a fagsystem.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoInstance, type DemoInstance } from "../support/demo-instance.js";

async function form(url: string, fields: Record<string, string>, cookie = ""): Promise<Response> {
  return fetch(url, { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded", cookie }, body: new URLSearchParams(fields).toString() });
}

function hidden(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match?.[1]) throw new Error(`no ${name} field in ${html.slice(0, 300)}`);
  return match[1].replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#39;/g, "'");
}

describe("the self-check's access and failure report", () => {
  let enabled: DemoInstance;
  let disabled: DemoInstance;

  beforeAll(async () => {
    [enabled, disabled] = await Promise.all([startDemoInstance(), startDemoInstance({ configure: (config) => ({ ...config, selfCheck: { enabled: false } }) })]);
  });

  afterAll(async () => {
    await Promise.all([enabled?.stop(), disabled?.stop()]);
  });

  it("is not there where the configuration does not enable it", async () => {
    expect((await fetch(`${disabled.brokerUrl}/selfcheck`)).status).toBe(404);
    expect((await form(`${disabled.brokerUrl}/selfcheck/start`, { idp: "demo-kommune" })).status).toBe(404);
  });

  it("refuses an IdP that is not registered", async () => {
    const response = await form(`${enabled.brokerUrl}/selfcheck/start`, { idp: "not-registered" });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("registreret hos brokeren");
  });

  it("reports an answer that fails verification (an expired assertion) with its reason and what to check", async () => {
    const start = await form(`${enabled.brokerUrl}/selfcheck/start`, { idp: "demo-kommune" });
    expect(start.status).toBe(303);
    const idpPage = await (await fetch(start.headers.get("location") ?? "")).text();
    const answer = await form(`${enabled.demo.idpUrl}/login`, { request: hidden(idpPage, "request"), user: "hanne", scenario: "expired" });
    const acsPage = await answer.text();
    const acs = await form(`${enabled.brokerUrl}/saml/acs`, { SAMLResponse: hidden(acsPage, "SAMLResponse") });
    expect(acs.status).toBe(303);
    const location = acs.headers.get("location") ?? "";
    expect(location).toMatch(/^\/selfcheck\/report\/[A-Za-z0-9_-]{24}$/);
    const cookie = (acs.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const report = (await (await fetch(`${enabled.brokerUrl}${location}.json`, { headers: { cookie } })).json()) as { overall: string; checks: Array<{ id: string; verdict: string; reason: { en: string }; fix?: { en: string } }> };
    expect(report.overall).toBe("fail");
    expect(report.checks[0]).toMatchObject({ id: "trust.answer-verified", verdict: "fail" });
    expect(report.checks[0]?.reason.en).toContain("assertion_expired");
    expect(report.checks[0]?.fix?.en).toContain("broker's current metadata");
    // Without the browser's cookie the report is not there.
    expect((await fetch(`${enabled.brokerUrl}${location}.json`)).status).toBe(404);
  });
});
