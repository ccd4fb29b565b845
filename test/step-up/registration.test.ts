/**
 * Step-up through NemLog-in: when the broker steps up at all (the IdP's and
 * NemLog-in's registration) and what the request to NemLog-in carries.
 */
import { beforeAll, describe, expect, it } from "vitest";
import request from "supertest";
import { fixtureKeys, type FixtureKeys } from "../support/broker-fixture.js";
import { idpResponse, postToAcs, readSpAnswer, spRedirectRequest, upstreamRequestFrom } from "../support/saml-peers.js";
import { testKey } from "../support/keys.js";
import type { KeyMaterial } from "../../src/keys/key-material.js";
import { STATUS } from "../../src/saml/namespaces.js";
import { authnRequestFrom, municipalLogin, municipalNist3, stepUpFixture, stepUpSetup } from "./step-up-world.js";

describe("step-up through NemLog-in: registration and the request", () => {
  let keys: FixtureKeys;
  let nemlogin: KeyMaterial;
  beforeAll(async () => {
    keys = await fixtureKeys();
    nemlogin = await testKey("nemlogin-signing");
  });

  it("refuses as before (level_too_low) when the IdP is not registered for step-up", async () => {
    const setup = stepUpSetup(keys, nemlogin);
    const fixture = await stepUpFixture(setup, { stepUp: false });
    const { toNemLogIn } = await municipalLogin(fixture);
    expect(toNemLogIn.status).toBe(200);
    const answer = readSpAnswer(toNemLogIn.text);
    expect(answer.subStatusCode).toBe(STATUS.noAuthnContext);
    await new Promise((resolve) => setImmediate(resolve));
    expect(fixture.logs.some((l) => l["event"] === "login_failed" && l.reason === "level_too_low")).toBe(true);
  });

  it("refuses as before, with a warning, when the IdP has stepUp but NemLog-in is not configured", async () => {
    const setup = stepUpSetup(keys, nemlogin);
    const { nemlogin: _absent, ...withoutNemLogIn } = setup.config;
    const fixture = await stepUpFixture({ ...setup, config: withoutNemLogIn });
    const { toNemLogIn } = await municipalLogin(fixture);
    expect(readSpAnswer(toNemLogIn.text).subStatusCode).toBe(STATUS.noAuthnContext);
    await new Promise((resolve) => setImmediate(resolve));
    expect(fixture.logs.some((l) => l["event"] === "step_up_not_possible" && l.level === 40 && String(l["detail"]).includes("NemLog-in is not configured"))).toBe(true);
  });

  it("passes the fagsystem's ForceAuthn on to NemLog-in", async () => {
    const setup = stepUpSetup(keys, nemlogin);
    const fixture = await stepUpFixture(setup);
    const agent = request.agent(fixture.app);
    const started = await agent.get(spRedirectRequest(keys, { forceAuthn: true }).path);
    const upstream = upstreamRequestFrom(started.headers["location"] as string);
    expect(upstream.xml).toContain('ForceAuthn="true"');
    const toNemLogIn = await postToAcs(agent, await idpResponse(keys, municipalNist3(upstream.id)));
    expect(authnRequestFrom(toNemLogIn.headers["location"] as string).documentElement.getAttribute("ForceAuthn")).toBe("true");
  });

  it("refuses to start when NemLog-in's metadata names another entity than configured", async () => {
    const setup = stepUpSetup(keys, nemlogin);
    const nemloginConfig = setup.config["nemlogin"] as Record<string, unknown>;
    await expect(stepUpFixture({ ...setup, config: { ...setup.config, nemlogin: { ...nemloginConfig, entityId: "https://saml.nemlog-in.dk" } } })).rejects.toThrow(/not the configured entityId/);
  });
});
