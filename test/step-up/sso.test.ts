/**
 * Step-up through NemLog-in and SSO: a stepped-up level is reused for the next
 * fagsystem until nemlogin.stepUpMaxAgeSeconds, after which (or when the SSO
 * session never had the level) only the step-up is repeated.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { fixtureKeys, type FixtureKeys } from "../support/broker-fixture.js";
import { SECOND_SP_ACS_URL, SECOND_SP_ENTITY_ID } from "../support/broker-process.js";
import { idpResponse, openBrokerAssertion, postToAcs, readSpAnswer, spRedirectRequest } from "../support/saml-peers.js";
import { testKey } from "../support/keys.js";
import type { KeyMaterial } from "../../src/keys/key-material.js";
import { STATUS } from "../../src/saml/namespaces.js";
import { OIOSAML3 } from "../../src/profiles/oiosaml3-attributes.js";
import { attribute, authnRequestFrom, municipalLogin, NEMLOGIN_SSO_URL, nemLogInAnswer, nemLogInRequestId, stepUpFixture, stepUpSetup } from "./step-up-world.js";

describe("step-up through NemLog-in: SSO sessions", () => {
  let keys: FixtureKeys;
  let nemlogin: KeyMaterial;
  beforeAll(async () => {
    keys = await fixtureKeys();
    nemlogin = await testKey("nemlogin-signing");
  });

  it("reuses the step-up in the SSO session: the next fagsystem gets NSIS Substantial without MitID", async () => {
    const setup = stepUpSetup(keys, nemlogin);
    const fixture = await stepUpFixture(setup);
    const { agent, toNemLogIn } = await municipalLogin(fixture);
    const requestId = nemLogInRequestId(toNemLogIn);
    const done = await postToAcs(agent, await idpResponse(keys, nemLogInAnswer(nemlogin, requestId)));
    expect(readSpAnswer(done.text).statusCode).toBe(STATUS.success);

    const second = await agent.get(spRedirectRequest(keys, { issuer: SECOND_SP_ENTITY_ID, acsUrl: SECOND_SP_ACS_URL }).path);
    expect(second.status).toBe(200);
    expect(second.headers["location"]).toBeUndefined();
    const answer = readSpAnswer(second.text);
    expect(answer.url).toBe(SECOND_SP_ACS_URL);
    expect(answer.statusCode).toBe(STATUS.success);
    const assertion = await openBrokerAssertion(answer, keys);
    expect(attribute(assertion, OIOSAML3.loa)).toEqual(["Substantial"]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(fixture.logs.some((l) => l["event"] === "login_succeeded" && l["sso"] === true && l["sp"] === "andet-fagsystem")).toBe(true);
  });

  it("after nemlogin.stepUpMaxAgeSeconds, repeats only the step-up (NemLog-in, not the municipal IdP)", async () => {
    let offset = 0;
    const setup = stepUpSetup(keys, nemlogin, { stepUpMaxAgeSeconds: 60 });
    const fixture = await stepUpFixture(setup, {}, () => Date.now() + offset);
    const { agent, toNemLogIn } = await municipalLogin(fixture);
    const requestId = nemLogInRequestId(toNemLogIn);
    const done = await postToAcs(agent, await idpResponse(keys, nemLogInAnswer(nemlogin, requestId)));
    expect(readSpAnswer(done.text).statusCode).toBe(STATUS.success);

    offset = 61_000;
    const second = await agent.get(spRedirectRequest(keys, { issuer: SECOND_SP_ENTITY_ID, acsUrl: SECOND_SP_ACS_URL }).path);
    expect(second.status).toBe(303);
    const location = second.headers["location"] as string;
    expect(location.startsWith(`${NEMLOGIN_SSO_URL}?`)).toBe(true);
    const again = authnRequestFrom(location).documentElement.getAttribute("ID")!;
    const finished = await postToAcs(agent, await idpResponse(keys, { ...nemLogInAnswer(nemlogin, again), now: Date.now() + offset }));
    const answer = readSpAnswer(finished.text);
    expect(answer.url).toBe(SECOND_SP_ACS_URL);
    expect(answer.statusCode).toBe(STATUS.success);
  });

  it("steps up from an SSO session without the level by going only to NemLog-in", async () => {
    const setup = stepUpSetup(keys, nemlogin, {}, "none");
    const fixture = await stepUpFixture(setup);
    // The first fagsystem needs no level: the municipal login (NIST 3) is enough, no step-up.
    const { agent, toNemLogIn: first } = await municipalLogin(fixture);
    expect(first.status).toBe(200);
    expect(readSpAnswer(first.text).statusCode).toBe(STATUS.success);

    const second = await agent.get(spRedirectRequest(keys, { issuer: SECOND_SP_ENTITY_ID, acsUrl: SECOND_SP_ACS_URL }).path);
    expect(second.status).toBe(303);
    const location = second.headers["location"] as string;
    expect(location.startsWith(`${NEMLOGIN_SSO_URL}?`)).toBe(true);
    const requestId = authnRequestFrom(location).documentElement.getAttribute("ID")!;
    const done = await postToAcs(agent, await idpResponse(keys, nemLogInAnswer(nemlogin, requestId)));
    const answer = readSpAnswer(done.text);
    expect(answer.url).toBe(SECOND_SP_ACS_URL);
    expect(answer.statusCode).toBe(STATUS.success);
    expect(attribute(await openBrokerAssertion(answer, keys), OIOSAML3.loa)).toEqual(["Substantial"]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(fixture.logs.some((l) => l["event"] === "sso_step_up")).toBe(true);
  });
});
