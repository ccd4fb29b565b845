/**
 * How the IdP's answer was sent, as the self-check reads it while the answer
 * is verified, over real HTTP with real signatures against the running demo:
 * each OIOSAML 3 attribute's NameFormat, and KombitSpecVer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoInstance, type DemoInstance } from "../support/demo-instance.js";
import { runSelfCheck } from "../support/selfcheck-http.js";

describe("the self-check on how the answer's attributes were sent", () => {
  let instance: DemoInstance;

  beforeAll(async () => {
    instance = await startDemoInstance();
  });

  afterAll(async () => {
    await instance?.stop();
  });

  it("passes Demo Kommune: every OIOSAML 3 attribute with NameFormat uri, KombitSpecVer 2.0", async () => {
    const { report } = await runSelfCheck(instance, "demo-kommune", "none", "hanne");
    const sent = report.person.attributes.filter((a) => a.name.startsWith("https://data.gov.dk/")).length;
    expect(report.checks.find((c) => c.id === "identity.name-format")).toMatchObject({ verdict: "pass", reason: { en: `All ${sent} OIOSAML 3 attributes have NameFormat uri.` } });
    expect(report.checks.find((c) => c.id === "identity.kombit-spec-version")).toMatchObject({ verdict: "pass", reason: { en: "https://data.gov.dk/model/core/kombitSpecVer is 2.0." } });
  });

  it("warns of Fejl Kommune's basic NameFormat (naming the attributes) and its missing KombitSpecVer, with what to do", async () => {
    const { report } = await runSelfCheck(instance, "fejl-kommune", "none", "frede");
    const format = report.checks.find((c) => c.id === "identity.name-format");
    expect(format?.verdict).toBe("warn");
    expect(format?.reason.en).toContain("https://data.gov.dk/model/core/eid/professional/cvr (urn:oasis:names:tc:SAML:2.0:attrname-format:basic)");
    expect(format?.reason.en).toContain("https://data.gov.dk/model/core/eid/email (urn:oasis:names:tc:SAML:2.0:attrname-format:basic)");
    expect(format?.reason.en).toMatch(/^2 of \d+ OIOSAML 3 attributes/);
    expect(format?.fix?.en).toBe('Send every attribute with NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri".');
    expect(report.checks.find((c) => c.id === "identity.kombit-spec-version")).toMatchObject({ verdict: "warn", reason: { en: "KombitSpecVer was not sent." } });
    // The login itself still verified: these are warnings, not a refusal of the answer.
    expect(report.checks.find((c) => c.id === "trust.answer-verified")?.verdict).toBe("pass");
  });
});
