/** Levels through the whole hop: what the broker asks the IdP for, and what it accepts back. */
import { describe, expect, it } from "vitest";
import { defaultAttributes, idpResponse, postToAcs, readSpAnswer, startLogin } from "../support/saml-peers.js";
import { NS, STATUS } from "../../src/saml/namespaces.js";
import { LEGACY, OIOSAML3 } from "../../src/profiles/oiosaml3-attributes.js";
import { login, policyFixture } from "./policy-world.js";

describe("levels toward the IdP and back", () => {
  it("asks the IdP for the stricter of the fagsystem's configured level and its request, and refuses a downgrade with NoAuthnContext", async () => {
    const fixture = await policyFixture({ sp: { requiredLevel: { nsis: "Substantial" } } });
    const started = await startLogin(fixture, { requestedClassRefs: ["https://data.gov.dk/concept/core/nsis/loa/High"] });
    expect(started.upstreamXml).toContain('<samlp:RequestedAuthnContext Comparison="minimum"><saml:AuthnContextClassRef>https://data.gov.dk/concept/core/nsis/loa/High</saml:AuthnContextClassRef>');
    const response = await postToAcs(started.agent, await idpResponse(fixture.keys, { requestId: started.upstreamRequestId }));
    const answer = readSpAnswer(response.text);
    expect(answer.statusCode).toBe(STATUS.responder);
    expect(answer.subStatusCode).toBe(STATUS.noAuthnContext);
    expect(answer.statusMessage).toBe("login reached NSIS Substantial; the fagsystem requires NSIS High");
    expect(response.text).toContain("Your login does not have the assurance level the system requires.");
    expect(response.text).not.toContain("autosubmit.js");
  });

  it("never lowers the configured level because the request asks for less", async () => {
    const fixture = await policyFixture({ sp: { requiredLevel: { nsis: "Substantial" } } });
    const outcome = await login(
      fixture,
      { attributes: defaultAttributes({ [OIOSAML3.loa]: "Low" }), classRef: "https://data.gov.dk/concept/core/nsis/loa/Low" },
      { requestedClassRefs: ["https://data.gov.dk/concept/core/nsis/loa/Low"] },
    );
    expect(outcome.upstreamXml).toContain("https://data.gov.dk/concept/core/nsis/loa/Substantial");
    expect(outcome.answer.subStatusCode).toBe(STATUS.noAuthnContext);
  });

  it("serves a NIST fagsystem from an NSIS login through KOMBIT's conversion, asserting AssuranceLevel", async () => {
    const fixture = await policyFixture({ sp: { requiredLevel: { nist: 3 } } });
    const outcome = await login(fixture);
    expect(outcome.upstreamXml).toContain("urn:dk:gov:saml:attribute:AssuranceLevel:3");
    expect(outcome.answer.statusCode).toBe(STATUS.success);
    expect(outcome.attributes.get(LEGACY.assuranceLevel)).toEqual(["3"]);
    expect(outcome.attributes.has(OIOSAML3.loa)).toBe(false);
    expect(outcome.assertion!.getElementsByTagNameNS(NS.saml, "AuthnContextClassRef")[0]!.textContent).toBe("urn:dk:gov:saml:attribute:AssuranceLevel:3");
  });

  it("counts no more than the IdP is registered to deliver", async () => {
    const fixture = await policyFixture({ idp: { maxLevel: { nsis: "Substantial" } } });
    const outcome = await login(fixture, { attributes: defaultAttributes({ [OIOSAML3.loa]: "High" }), classRef: "https://data.gov.dk/concept/core/nsis/loa/High" });
    expect(outcome.attributes.get(OIOSAML3.loa)).toEqual(["Substantial"]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(fixture.logs.some((l) => l["event"] === "level_capped")).toBe(true);
    const strict = await policyFixture({ idp: { maxLevel: { nsis: "Substantial" } }, sp: { requiredLevel: { nsis: "High" } } });
    const refused = await login(strict, { attributes: defaultAttributes({ [OIOSAML3.loa]: "High" }), classRef: "https://data.gov.dk/concept/core/nsis/loa/High" });
    expect(refused.answer.subStatusCode).toBe(STATUS.noAuthnContext);
  });

  it.each([
    ["OIOSAML3", { nist: 3 }, "urn:dk:gov:saml:attribute:AssuranceLevel:3"],
    ["OIOSAML2", { nist: 2 }, "urn:dk:gov:saml:attribute:AssuranceLevel:2"],
    ["OIOSAML3_ADFS_MULTIPLEAUTHN", { nist: 3 }, "http://schemas.microsoft.com/claims/multipleauthn"],
    ["OIOSAML2_ADFS_MULTIPLEAUTHN", { nsis: "Substantial" }, "http://schemas.microsoft.com/claims/multipleauthn"],
    ["OIOSAML3_ADFS_RELAY_STATE", { nist: 4 }, "http://schemas.microsoft.com/claims/multipleauthn"],
    ["OIOSAML2_WITHOUT_REQUESTED_LOA", { nist: 3 }, undefined],
    ["OIOSAML2", { nsis: "Substantial" }, undefined],
  ])("asks an IdP registered as %s for %j with %s", async (profile, requiredLevel, classRef) => {
    const fixture = await policyFixture({ idp: { oiosamlProfile: profile }, sp: { requiredLevel } });
    const started = await startLogin(fixture);
    if (classRef === undefined) expect(started.upstreamXml).not.toContain("RequestedAuthnContext");
    else expect(started.upstreamXml).toContain(`<samlp:RequestedAuthnContext Comparison="minimum"><saml:AuthnContextClassRef>${classRef}</saml:AuthnContextClassRef></samlp:RequestedAuthnContext>`);
  });

  it("accepts AD FS's multipleauthn as multi-factor from an AD FS IdP", async () => {
    const fixture = await policyFixture({ idp: { oiosamlProfile: "OIOSAML3_ADFS_MULTIPLEAUTHN" }, sp: { requiredLevel: { nist: 3 } } });
    const outcome = await login(fixture, { attributes: defaultAttributes({ [OIOSAML3.loa]: undefined }), classRef: "http://schemas.microsoft.com/claims/multipleauthn" });
    expect(outcome.answer.statusCode).toBe(STATUS.success);
    expect(outcome.attributes.get(LEGACY.assuranceLevel)).toEqual(["3"]);
  });

  it("sends no Scoping by default (the real Context Handler's SupportsScope is off by default)", async () => {
    const login = await startLogin(await policyFixture());
    expect(login.upstreamXml).not.toContain("Scoping");
  });

  it("sends Scoping/RequesterID only to an IdP that accepts it", async () => {
    const accepting = await startLogin(await policyFixture({ idp: { sendScoping: true } }));
    expect(accepting.upstreamXml).toContain("<samlp:Scoping><samlp:RequesterID>https://fagsystem.test/sp</samlp:RequesterID></samlp:Scoping>");
    const adfs = await startLogin(await policyFixture({ idp: { sendScoping: false } }));
    expect(adfs.upstreamXml).not.toContain("Scoping");
  });
});
