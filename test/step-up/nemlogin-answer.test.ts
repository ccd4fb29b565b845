/**
 * Step-up through NemLog-in: NemLog-in's answer is checked like any upstream
 * answer (its own keys, its own issuer, status, level) before it is bound.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { fixtureKeys, type FixtureKeys } from "../support/broker-fixture.js";
import { idpResponse, postToAcs, readSpAnswer } from "../support/saml-peers.js";
import { testKey } from "../support/keys.js";
import { LEVEL_CLASS } from "../support/uris.js";
import type { KeyMaterial } from "../../src/keys/key-material.js";
import { STATUS } from "../../src/saml/namespaces.js";
import { auditRecords, municipalLogin, nemLogInAnswer, nemLogInRequestId, stepUpFixture, stepUpSetup } from "./step-up-world.js";

describe("step-up through NemLog-in: checking NemLog-in's answer", () => {
  let keys: FixtureKeys;
  let nemlogin: KeyMaterial;
  beforeAll(async () => {
    keys = await fixtureKeys();
    nemlogin = await testKey("nemlogin-signing");
  });

  it("refuses NemLog-in answering with too low a level (NoAuthnContext), and does not ask again", async () => {
    const setup = stepUpSetup(keys, nemlogin);
    const fixture = await stepUpFixture(setup);
    const { agent, toNemLogIn } = await municipalLogin(fixture);
    const requestId = nemLogInRequestId(toNemLogIn);
    const done = await postToAcs(agent, await idpResponse(keys, nemLogInAnswer(nemlogin, requestId, { loa: "Low" })));
    expect(done.status).toBe(200);
    expect(done.text).toContain("nåede ikke det sikringsniveau");
    const answer = readSpAnswer(done.text);
    expect(answer.statusCode).toBe(STATUS.responder);
    expect(answer.subStatusCode).toBe(STATUS.noAuthnContext);
    const records = await auditRecords(fixture, setup.auditFile);
    expect(records.map((r) => r["reason"])).toEqual(["step_up_level_too_low"]);
  });

  it("verifies NemLog-in's answer with NemLog-in's keys only (the municipal IdP's key is refused)", async () => {
    const setup = stepUpSetup(keys, nemlogin);
    const fixture = await stepUpFixture(setup);
    const { agent, toNemLogIn } = await municipalLogin(fixture);
    const requestId = nemLogInRequestId(toNemLogIn);
    const done = await postToAcs(agent, await idpResponse(keys, nemLogInAnswer(nemlogin, requestId, { signWith: keys.idpSigning })));
    const answer = readSpAnswer(done.text);
    expect(answer.statusCode).toBe(STATUS.responder);
    await new Promise((resolve) => setImmediate(resolve));
    expect(fixture.logs.some((l) => l.reason === "signature_invalid" && l["idp"] === "nemlogin")).toBe(true);
  });

  it("refuses a municipal IdP's answer to a login that awaits NemLog-in", async () => {
    const setup = stepUpSetup(keys, nemlogin);
    const fixture = await stepUpFixture(setup);
    const { agent, toNemLogIn } = await municipalLogin(fixture);
    const requestId = nemLogInRequestId(toNemLogIn);
    // The municipal IdP (its own issuer and key) answers the NemLog-in request with an NSIS level.
    const done = await postToAcs(agent, await idpResponse(keys, { requestId }));
    expect(readSpAnswer(done.text).statusCode).toBe(STATUS.responder);
    await new Promise((resolve) => setImmediate(resolve));
    expect(fixture.logs.some((l) => l.reason === "issuer_mismatch" || l.reason === "signature_invalid")).toBe(true);
    expect(fixture.logs.some((l) => l["event"] === "login_succeeded")).toBe(false);
  });

  it("tells the person when the MitID login at NemLog-in is not completed (status AuthnFailed)", async () => {
    const setup = stepUpSetup(keys, nemlogin);
    const fixture = await stepUpFixture(setup);
    const { agent, toNemLogIn } = await municipalLogin(fixture);
    const requestId = nemLogInRequestId(toNemLogIn);
    const done = await postToAcs(agent, await idpResponse(keys, { ...nemLogInAnswer(nemlogin, requestId), status: STATUS.responder, subStatus: STATUS.authnFailed }));
    expect(done.status).toBe(200);
    expect(done.text).toContain("MitID-loginet hos NemLog-in blev ikke gennemført");
    const answer = readSpAnswer(done.text);
    expect(answer.statusCode).toBe(STATUS.responder);
    expect(answer.subStatusCode).toBe(STATUS.authnFailed);
    expect(answer.statusMessage).toBe("Step-up authentication at NemLog-in failed");
    expect(fixture.logs.some((l) => l["event"] === "login_succeeded")).toBe(false);
  });

  it("refuses a NemLog-in answer whose loa attribute and AuthnContextClassRef disagree, naming the reason", async () => {
    const setup = stepUpSetup(keys, nemlogin);
    const fixture = await stepUpFixture(setup);
    const { agent, toNemLogIn } = await municipalLogin(fixture);
    const requestId = nemLogInRequestId(toNemLogIn);
    const done = await postToAcs(agent, await idpResponse(keys, { ...nemLogInAnswer(nemlogin, requestId, { loa: "High" }), authnContextClassRef: LEVEL_CLASS.nsis("Low") }));
    expect(readSpAnswer(done.text).statusCode).toBe(STATUS.responder);
    await new Promise((resolve) => setImmediate(resolve));
    expect(fixture.logs.some((l) => l.reason === "level_conflict" && l["idp"] === "nemlogin")).toBe(true);
    expect(fixture.logs.some((l) => l.reason === "internal_error")).toBe(false);
  });
});
