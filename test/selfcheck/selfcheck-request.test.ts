/**
 * What the self-check asks of the IdP, over real HTTP with real signatures
 * against the running demo. The level chosen goes to the IdP itself as
 * RequestedAuthnContext per its registration (also where a real login would
 * step up through NemLog-in), and the report says how it was sent and how the
 * IdP took it: met, ignored, or answered with NoAuthnContext. Where the
 * registration sends Scoping the request carries it, and the report says
 * whether the IdP answered or refused it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoInstance, type DemoInstance } from "../support/demo-instance.js";
import { postForm, runSelfCheck, type JsonReport as Report } from "../support/selfcheck-http.js";

describe("what the self-check asks of the IdP", () => {
  let instance: DemoInstance;

  beforeAll(async () => {
    instance = await startDemoInstance();
  });

  afterAll(async () => {
    await instance?.stop();
  });

  const selfCheck = (idp: string, level: string, user: string, scenario?: string) => runSelfCheck(instance, idp, level, user, scenario);

  const levelCheck = (report: Report) => report.checks.find((c) => c.id === "levels.requested");

  it("asks Demo Kommune's IdP for NSIS Substantial as the NSIS class, and passes when the answer meets it", async () => {
    const { asked, report } = await selfCheck("demo-kommune", "nsis-substantial", "hanne");
    expect(asked).toEqual(["https://data.gov.dk/concept/core/nsis/loa/Substantial"]);
    expect(report.requested).toMatchObject({ level: { kind: "nsis", minimum: "Substantial" }, sentAs: { protocol: "saml", profile: "OIOSAML3", classRefs: asked }, realLoginStepsUp: false });
    expect(levelCheck(report)).toMatchObject({ verdict: "pass" });
    expect(levelCheck(report)?.reason.en).toMatch(/^Requested NSIS Substantial, sent as RequestedAuthnContext \(Comparison minimum\) https:\/\/data\.gov\.dk\/concept\/core\/nsis\/loa\/Substantial per OIOSAML profile OIOSAML3; the IdP answered with NSIS Substantial, which meets it\./);
  });

  it("fails when the IdP ignores the request for NIST 3 and answers with a lower level", async () => {
    const { asked, report } = await selfCheck("demo-kommune", "nist-3", "hanne", "lower-level");
    expect(asked).toEqual(["urn:dk:gov:saml:attribute:AssuranceLevel:3"]);
    expect(levelCheck(report)?.verdict).toBe("fail");
    expect(levelCheck(report)?.reason.en).toContain("it ignored RequestedAuthnContext");
    expect(levelCheck(report)?.fix?.en).toContain("NoAuthnContext");
    expect(report.overall).toBe("fail");
  });

  it("reads a NoAuthnContext answer as the IdP understanding the request: a warning with what to do, not a trust failure", async () => {
    const { report } = await selfCheck("demo-kommune", "nsis-substantial", "hanne", "no-authn-context");
    expect(report.checks.map((c) => c.id)).toEqual(["request.scoping", "levels.requested"]);
    expect(levelCheck(report)?.verdict).toBe("warn");
    expect(levelCheck(report)?.reason.en).toContain("answered NoAuthnContext");
    expect(levelCheck(report)?.fix?.en).toMatch(/Repeat with a test user/);
    expect(report.overall).toBe("warn");
  });

  it("asks Vest Kommune's IdP itself where a real login would step up through NemLog-in, and says so", async () => {
    const { asked, report } = await selfCheck("vest-kommune", "nsis-substantial", "karen");
    expect(asked).toEqual(["https://data.gov.dk/concept/core/nsis/loa/Substantial"]);
    expect(report.requested?.realLoginStepsUp).toBe(true);
    expect(levelCheck(report)?.reason.en).toContain("a real login would ask NemLog-in for it (step-up); the self-check asked the IdP itself");
    // The demo IdP answers with its NIST 3 user regardless: the request was ignored.
    expect(levelCheck(report)?.verdict).toBe("fail");
  });

  it("without a level, asks for none and says how to test one", async () => {
    const { asked, report } = await selfCheck("demo-kommune", "none", "hanne");
    expect(asked).toEqual([]);
    expect(levelCheck(report)).toMatchObject({ verdict: "pass" });
    expect(levelCheck(report)?.reason.en).toContain("No level requested");
  });

  it("refuses a level the self-check does not offer", async () => {
    const response = await postForm(`${instance.brokerUrl}/selfcheck/start`, { idp: "demo-kommune", level: "nsis-high" });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("Ukendt niveau");
  });

  const scopingCheck = (report: Report) => report.checks.find((c) => c.id === "request.scoping");

  it("sends Scoping where the registration says so (Demo Kommune), naming the broker, and passes when the IdP answers", async () => {
    const { requester, report } = await selfCheck("demo-kommune", "none", "hanne");
    // The broker's entityID as its published SP metadata names it.
    const brokerEntityId = /entityID="([^"]+)"/.exec(await (await fetch(`${instance.brokerUrl}/saml/metadata/sp`)).text())?.[1];
    expect(requester).toBe(brokerEntityId);
    expect(report.scoping).toEqual({ sent: true, requesterId: brokerEntityId });
    expect(scopingCheck(report)).toMatchObject({ verdict: "pass" });
    expect(scopingCheck(report)?.reason.en).toBe(`The request carried Scoping with RequesterID ${brokerEntityId}, and the IdP answered it.`);
  });

  it("fails, with the status, when the IdP refuses the request carrying Scoping", async () => {
    const { report } = await selfCheck("demo-kommune", "none", "hanne", "request-unsupported");
    expect(scopingCheck(report)?.verdict).toBe("fail");
    expect(scopingCheck(report)?.reason.en).toContain("refused it with a status: IdP answered urn:oasis:names:tc:SAML:2.0:status:Responder / urn:oasis:names:tc:SAML:2.0:status:RequestUnsupported: Demo IdP: Scoping is not supported");
    expect(scopingCheck(report)?.fix?.en).toContain("sendScoping: false");
    expect(report.overall).toBe("fail");
  });

  it("says Scoping was not sent where the registration does not send it (Fejl Kommune)", async () => {
    const { requester, report } = await selfCheck("fejl-kommune", "none", "frede");
    expect(requester).toBeUndefined();
    expect(report.scoping).toEqual({ sent: false, protocol: "saml" });
    expect(scopingCheck(report)).toMatchObject({ verdict: "pass", reason: { en: "Not sent: the registration sends no Scoping (sendScoping: false)." } });
  });
});
