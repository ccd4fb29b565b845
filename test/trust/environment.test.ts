/**
 * Environments: the configuration names the environment it serves; a
 * production broker refuses NemLog-in's test IdP and a test broker refuses
 * production NemLog-in, at start, with a ConfigError naming the party. The
 * environment shows in every log line, in /metrics and (outside production)
 * on every page.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { createBrokerFixture, fixtureKeys, MUNICIPALITY_CVR, type FixtureKeys } from "../support/broker-fixture.js";
import { idpMetadataXml } from "../../src/demo/demo-metadata.js";
import { validateConfig, ConfigError } from "../../src/config/load-config.js";
import { loadTrustRegistry } from "../../src/trust/registry.js";
import { NEMLOGIN_PRODUCTION_ENTITY_ID, NEMLOGIN_TEST_ENTITY_ID } from "../../src/trust/environment-guard.js";
import { BINDING } from "../../src/saml/namespaces.js";

describe("environments", () => {
  let keys: FixtureKeys;
  let dir: string;
  beforeAll(async () => {
    keys = await fixtureKeys();
    dir = mkdtempSync(join(tmpdir(), "broker-environment-"));
  });

  function metadataFor(entityId: string): string {
    const path = join(dir, `${encodeURIComponent(entityId)}.xml`);
    writeFileSync(path, idpMetadataXml({ entityId, signing: keys.idpSigning, ssoUrl: "https://nemlogin.test/sso", bindings: [BINDING.redirect] }));
    return path;
  }

  const withNemLogIn = (environment: string | undefined, entityId: string) =>
    validateConfig({ ...(environment ? { environment } : {}), nemlogin: { metadata: metadataFor(entityId), entityId } });

  const withIdp = (environment: string, entityId: string) =>
    validateConfig({ environment, identityProviders: [{ id: "nemlogin-as-idp", displayName: "NemLog-in", metadata: metadataFor(entityId), cvrs: [MUNICIPALITY_CVR] }] });

  it("refuses NemLog-in's test IdP in a production configuration, naming it", () => {
    const load = () => loadTrustRegistry(withNemLogIn("production", NEMLOGIN_TEST_ENTITY_ID));
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/nemlogin: https:\/\/saml\.test-nemlog-in\.dk\/ is NemLog-in's test environment, and this is a production configuration/);
  });

  it("takes a configuration that names no environment as production", () => {
    expect(withNemLogIn(undefined, NEMLOGIN_TEST_ENTITY_ID).environment).toBe("production");
    expect(() => loadTrustRegistry(withNemLogIn(undefined, NEMLOGIN_TEST_ENTITY_ID))).toThrow(/production configuration/);
  });

  it("refuses the test IdP registered as a municipal IdP too, whatever its spelling", () => {
    expect(() => loadTrustRegistry(withIdp("production", "HTTPS://saml.test-nemlog-in.dk"))).toThrow(/identityProviders\[0\] \(nemlogin-as-idp\).*test environment/);
  });

  it("refuses production NemLog-in in a test or demo configuration", () => {
    expect(() => loadTrustRegistry(withNemLogIn("test", NEMLOGIN_PRODUCTION_ENTITY_ID))).toThrow(/production NemLog-in, and this configuration is environment: test/);
    expect(() => loadTrustRegistry(withNemLogIn("demo", NEMLOGIN_PRODUCTION_ENTITY_ID))).toThrow(ConfigError);
    expect(() => loadTrustRegistry(withIdp("external-test", `${NEMLOGIN_PRODUCTION_ENTITY_ID}/`))).toThrow(/production NemLog-in/);
  });

  it("accepts each NemLog-in in its own environment (control)", () => {
    expect(loadTrustRegistry(withNemLogIn("production", NEMLOGIN_PRODUCTION_ENTITY_ID)).nemLogIn()?.metadata.entityId).toBe(NEMLOGIN_PRODUCTION_ENTITY_ID);
    expect(loadTrustRegistry(withNemLogIn("test", NEMLOGIN_TEST_ENTITY_ID)).nemLogIn()?.metadata.entityId).toBe(NEMLOGIN_TEST_ENTITY_ID);
  });

  it("refuses an environment it does not know", () => {
    expect(() => validateConfig({ environment: "prodution" })).toThrow(/environment/);
  });

  it("puts the environment in every log line and in /metrics", async () => {
    const fixture = await createBrokerFixture({ config: { environment: "external-test" } });
    fixture.broker.log.info({ event: "probe" }, "probe");
    await new Promise((resolve) => setImmediate(resolve));
    expect(fixture.logs.length).toBeGreaterThan(0);
    expect(fixture.logs.every((line) => line["environment"] === "external-test")).toBe(true);
    const metrics = (await request(fixture.app).get("/metrics")).text;
    expect(metrics).toContain('broker_info{environment="external-test",entity_id="https://saml.broker.test"} 1');
  });

  it("shows a banner on pages outside production, and none in production", async () => {
    const test = await createBrokerFixture({ config: { environment: "test" } });
    const page = await request(test.app).get("/no-such-page");
    expect(page.status).toBe(404);
    expect(page.text).toMatch(/<p class="environment" role="note">Ikke produktion \/ Not production: <strong>test<\/strong><\/p>/);
    expect((await request(test.app).get("/")).text).toContain('class="environment"');

    const production = await createBrokerFixture({ config: { environment: "production" } });
    const productionPage = await request(production.app).get("/no-such-page");
    expect(productionPage.status).toBe(404);
    expect(productionPage.text).not.toContain('class="environment"');
  });
});
