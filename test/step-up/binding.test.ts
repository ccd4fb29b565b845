/**
 * Step-up through NemLog-in (MitID Erhverv), end to end through the broker's
 * HTTP endpoints: NemLog-in's answer is bound to the same person (by UUID,
 * or CPR where configured) in the same organisation, and merged; a different
 * person or organisation is refused with a page, a SAML error and an audit event.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fixtureKeys, MUNICIPALITY_CVR, SP_ACS_URL, type FixtureKeys } from "../support/broker-fixture.js";
import { idpResponse, openBrokerAssertion, postToAcs, readSpAnswer } from "../support/saml-peers.js";
import { testKey } from "../support/keys.js";
import { LEVEL_CLASS } from "../support/uris.js";
import type { KeyMaterial } from "../../src/keys/key-material.js";
import { NS, STATUS } from "../../src/saml/namespaces.js";
import { OIOSAML3 } from "../../src/profiles/oiosaml3-attributes.js";
import { findStepUps, formatStepUp } from "../../src/cli/explain-step-up.js";
import { ANNA_UUID, attribute, auditRecords, authnRequestFrom, municipalLogin, NEMLOGIN_ENTITY_ID, NEMLOGIN_SSO_URL, nemLogInAnswer, nemLogInRequestId, OTHER_UUID, stepUpCount, stepUpFixture, stepUpSetup } from "./step-up-world.js";

describe("step-up through NemLog-in: binding to the same person and organisation", () => {
  let keys: FixtureKeys;
  let nemlogin: KeyMaterial;
  beforeAll(async () => {
    keys = await fixtureKeys();
    nemlogin = await testKey("nemlogin-signing");
  });

  it("sends the person on to NemLog-in for NSIS Substantial, binds the answer to the same person and merges", async () => {
    const setup = stepUpSetup(keys, nemlogin);
    const fixture = await stepUpFixture(setup);
    const { agent, toNemLogIn, municipalXml } = await municipalLogin(fixture);
    // The municipal IdP cannot deliver NSIS: it is not asked for it.
    expect(municipalXml).not.toContain("RequestedAuthnContext");

    expect(toNemLogIn.status).toBe(303);
    const location = toNemLogIn.headers["location"] as string;
    expect(location.startsWith(`${NEMLOGIN_SSO_URL}?`)).toBe(true);
    expect(new URL(location).searchParams.get("Signature")).toBeTruthy();
    const authnRequest = authnRequestFrom(location);
    const classRefs = Array.from(authnRequest.getElementsByTagNameNS(NS.saml, "AuthnContextClassRef")).map((e) => e.textContent);
    expect(classRefs).toEqual([LEVEL_CLASS.nsis("Substantial"), "https://data.gov.dk/eid/Professional"]);
    expect(authnRequest.getElementsByTagNameNS(NS.samlp, "Scoping")).toHaveLength(0);
    expect(authnRequest.documentElement.getAttribute("AssertionConsumerServiceURL")).toBe("https://broker.test/saml/acs");

    const requestId = authnRequest.documentElement.getAttribute("ID")!;
    const nemloginAssertionId = "_nemlogin-assertion-1";
    const boundBefore = await stepUpCount("bound");
    const done = await postToAcs(agent, await idpResponse(keys, { ...nemLogInAnswer(nemlogin, requestId), assertionId: nemloginAssertionId }));
    expect(done.status).toBe(200);
    const answer = readSpAnswer(done.text);
    expect(answer.statusCode).toBe(STATUS.success);
    expect(answer.url).toBe(SP_ACS_URL);
    expect(answer.relayState).toBe("rs-123");
    const assertion = await openBrokerAssertion(answer, keys);
    // The level from NemLog-in; person, organisation and privileges from the municipal step.
    expect(attribute(assertion, OIOSAML3.loa)).toEqual(["Substantial"]);
    expect(assertion.getElementsByTagNameNS(NS.saml, "AuthnContextClassRef")[0]!.textContent).toBe(LEVEL_CLASS.nsis("Substantial"));
    expect(attribute(assertion, OIOSAML3.email)).toEqual(["anna@kommune.test"]);
    expect(attribute(assertion, OIOSAML3.cvr)).toEqual([MUNICIPALITY_CVR]);
    expect(attribute(assertion, OIOSAML3.uuidPersistent)).toEqual([ANNA_UUID]);
    const authorities = Array.from(assertion.getElementsByTagNameNS(NS.saml, "AuthenticatingAuthority")).map((e) => e.textContent);
    expect(authorities).toContain(NEMLOGIN_ENTITY_ID);

    expect(await stepUpCount("bound")).toBe(boundBefore + 1);
    const records = await auditRecords(fixture, setup.auditFile);
    expect(records).toHaveLength(1);
    expect(records[0]!["outcome"]).toBe("bound");
    expect(records[0]!["binding"]).toBe("uuid");
    const evidence = records[0]!["evidence"] as Array<{ upstream: string; assertionId: string }>;
    expect(evidence.map((e) => e.upstream)).toEqual(["municipal-idp", "nemlogin"]);
    expect(evidence[1]!.assertionId).toBe(nemloginAssertionId);
    expect(evidence[0]!.assertionId).toMatch(/^_a/);
    const succeeded = fixture.logs.find((l) => l["event"] === "login_succeeded");
    expect(succeeded?.["evidence"]).toEqual(evidence.map((e) => e.assertionId));
    // `explain <correlation id>` shows the step-up with both assertions.
    const explained = findStepUps(readFileSync(setup.auditFile, "utf8"), String(records[0]!["correlationId"])).map(formatStepUp).join("\n");
    expect(explained).toContain("bound by uuid");
    expect(explained).toContain(`nemlogin: ${NEMLOGIN_ENTITY_ID} assertion ${nemloginAssertionId}`);
    expect(explained).toContain(`municipal-idp: https://idp.kommune.test/adfs assertion ${evidence[0]!.assertionId}`);
  });

  it("refuses a step-up by a different person, with a clear page and an audit event", async () => {
    const setup = stepUpSetup(keys, nemlogin);
    const fixture = await stepUpFixture(setup);
    const refusedBefore = await stepUpCount("refused");
    const { agent, toNemLogIn } = await municipalLogin(fixture);
    const requestId = nemLogInRequestId(toNemLogIn);
    const done = await postToAcs(agent, await idpResponse(keys, nemLogInAnswer(nemlogin, requestId, { uuid: OTHER_UUID })));
    expect(await stepUpCount("refused")).toBe(refusedBefore + 1);
    expect(done.status).toBe(200);
    expect(done.text).toContain("MitID-loginet tilhører ikke den person");
    expect(done.text).toMatch(/correlation id/);
    const answer = readSpAnswer(done.text);
    expect(answer.statusCode).toBe(STATUS.responder);
    expect(answer.subStatusCode).toBe(STATUS.authnFailed);
    expect(answer.document.getElementsByTagNameNS(NS.saml, "EncryptedAssertion")).toHaveLength(0);
    expect(answer.document.getElementsByTagNameNS(NS.saml, "Assertion")).toHaveLength(0);
    const records = await auditRecords(fixture, setup.auditFile);
    expect(records.map((r) => [r["outcome"], r["reason"]])).toEqual([["refused", "step_up_other_person"]]);
    expect((records[0]!["evidence"] as unknown[]).length).toBe(2);
    expect(formatStepUp(findStepUps(readFileSync(setup.auditFile, "utf8"), String(records[0]!["correlationId"]))[0]!)).toContain("refused (step_up_other_person, binding uuid)");
    expect(fixture.logs.some((l) => l["event"] === "login_failed" && l.reason === "step_up_other_person")).toBe(true);
    // One rejection per refused login in the logs (and so in broker_rejections_total); the audit line names it as `refusal`.
    expect(fixture.logs.filter((l) => l.reason === "step_up_other_person")).toHaveLength(1);
    expect(fixture.logs.some((l) => l["event"] === "step_up_refused" && l["refusal"] === "step_up_other_person" && l["audit"] === true)).toBe(true);
    expect(fixture.logs.some((l) => l["event"] === "login_succeeded")).toBe(false);
    // No SSO session is started for a refused login.
    expect(String(done.headers["set-cookie"] ?? "")).not.toContain("broker_sso");
  });

  it("refuses a NemLog-in identity whose NameID and UUID attribute name different people", async () => {
    const setup = stepUpSetup(keys, nemlogin);
    const fixture = await stepUpFixture(setup);
    const { agent, toNemLogIn } = await municipalLogin(fixture);
    const requestId = nemLogInRequestId(toNemLogIn);
    const done = await postToAcs(agent, await idpResponse(keys, nemLogInAnswer(nemlogin, requestId, { nameIdUuid: OTHER_UUID })));
    expect(readSpAnswer(done.text).statusCode).toBe(STATUS.responder);
    const records = await auditRecords(fixture, setup.auditFile);
    expect(records[0]?.["reason"]).toBe("nemlogin_unusable");
    expect(String(records[0]?.["detail"])).toContain("nemlogin_uuid_conflict");
  });

  it("refuses a step-up for another organisation (NemLog-in's CVR differs from the municipality's)", async () => {
    const setup = stepUpSetup(keys, nemlogin);
    const fixture = await stepUpFixture(setup);
    const { agent, toNemLogIn } = await municipalLogin(fixture);
    const requestId = nemLogInRequestId(toNemLogIn);
    const done = await postToAcs(agent, await idpResponse(keys, nemLogInAnswer(nemlogin, requestId, { cvr: "11223344" })));
    expect(done.text).toContain("hører til en anden organisation");
    const answer = readSpAnswer(done.text);
    expect(answer.statusCode).toBe(STATUS.responder);
    expect(answer.subStatusCode).toBe(STATUS.requestDenied);
    const records = await auditRecords(fixture, setup.auditFile);
    expect(records.map((r) => r["reason"])).toEqual(["step_up_other_organisation"]);
  });

  it("binds by CPR where the municipality is configured so", async () => {
    const setup = stepUpSetup(keys, nemlogin);
    const fixture = await stepUpFixture(setup, { stepUpBinding: "cpr" });
    const ok = await municipalLogin(fixture, { [OIOSAML3.cprNumber]: "0101701234" });
    const okId = nemLogInRequestId(ok.toNemLogIn);
    // A different professional UUID, but the same CPR: the configured key decides.
    const bound = await postToAcs(ok.agent, await idpResponse(keys, nemLogInAnswer(nemlogin, okId, { uuid: OTHER_UUID, cpr: "010170-1234" })));
    expect(readSpAnswer(bound.text).statusCode).toBe(STATUS.success);

    const other = await municipalLogin(fixture, { [OIOSAML3.cprNumber]: "0101701234" });
    const otherId = nemLogInRequestId(other.toNemLogIn);
    const refused = await postToAcs(other.agent, await idpResponse(keys, nemLogInAnswer(nemlogin, otherId, { cpr: "0202801234" })));
    expect(readSpAnswer(refused.text).statusCode).toBe(STATUS.responder);

    // NemLog-in sends no CPR (usual for MitID Erhverv): nothing to bind to, refused.
    const none = await municipalLogin(fixture, { [OIOSAML3.cprNumber]: "0101701234" });
    const noneId = nemLogInRequestId(none.toNemLogIn);
    const missing = await postToAcs(none.agent, await idpResponse(keys, nemLogInAnswer(nemlogin, noneId)));
    expect(readSpAnswer(missing.text).statusCode).toBe(STATUS.responder);
    const records = await auditRecords(fixture, setup.auditFile);
    expect(records.map((r) => r["reason"] ?? r["outcome"])).toEqual(["bound", "step_up_other_person", "step_up_binding_missing"]);
  });
});
