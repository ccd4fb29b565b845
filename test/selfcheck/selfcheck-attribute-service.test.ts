/**
 * The self-check for an IdP that takes privileges from an attribute service
 * (Sky Kommune, like Entra ID): the service is really asked for the test
 * person, with the login's own client, over real HTTP against the running
 * demo's role catalogue; the report shows its roles and what they become per
 * fagsystem, that it does not know the person, or its error.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { startDemoInstance, type DemoInstance } from "../support/demo-instance.js";
import { runSelfCheck } from "../support/selfcheck-http.js";

const WRONG_KEY_ENV = `SELFCHECK_TEST_CATALOGUE_KEY_${randomBytes(4).toString("hex")}`;

describe("the self-check asks the attribute service", () => {
  let instance: DemoInstance;
  let wrongKey: DemoInstance;

  beforeAll(async () => {
    [instance, wrongKey] = await Promise.all([
      startDemoInstance(),
      // The catalogue's key in a variable of its own: the demo fills it, and the test then gives the broker a wrong one.
      startDemoInstance({ configure: (config) => ({ ...config, attributeServices: config.attributeServices.map((s) => (s.kind === "rest" && s.apiKey ? { ...s, apiKey: { ...s.apiKey, env: WRONG_KEY_ENV } } : s)) }) }),
    ]);
  });

  afterAll(async () => {
    delete process.env[WRONG_KEY_ENV];
    await Promise.all([instance?.stop(), wrongKey?.stop()]);
  });

  it("reports the roles the catalogue gives the test person and what they become in the fagsystem", async () => {
    const { report } = await runSelfCheck(instance, "sky-kommune", "none", "sofie");
    const check = report.checks.find((c) => c.id === "privileges.attribute-service.demo-fagsystem");
    expect(check?.verdict).toBe("pass");
    expect(check?.reason.en).toMatch(/^Asked for sofie@sky-kommune\.dk for system \S+: \d+ role\(s\): http:\/\/\S+ \(CVR 33445566\)/);
    expect(check?.reason.en).toMatch(/The roles become: .*http:\/\/demo-fagsystem\.dk\/roles\/usersystemrole\//);
    expect(report.checks.find((c) => c.id === "privileges.bpp")?.reason.en).toContain("see its answers below");
    // Only the fagsystems the service's registration names are asked (Sky's catalogue serves demo-fagsystem).
    expect(report.checks.filter((c) => c.id.startsWith("privileges.attribute-service.")).map((c) => c.id)).toEqual(["privileges.attribute-service.demo-fagsystem"]);
  });

  it("fails, saying a login would be refused, when the catalogue does not know the test person", async () => {
    const { report } = await runSelfCheck(instance, "sky-kommune", "none", "ukendt");
    const check = report.checks.find((c) => c.id === "privileges.attribute-service.demo-fagsystem");
    expect(check?.verdict).toBe("fail");
    expect(check?.reason.en).toBe(`Asked for ukendt@sky-kommune.dk for system ${/for system (\S+):/.exec(check?.reason.en ?? "")?.[1] ?? ""}: the service does not know the user (or this system); a login would be refused.`);
    expect(check?.fix?.en).toContain("Create the test user in the service");
  });

  it("reports the service's error when it refuses the broker's key", async () => {
    process.env[WRONG_KEY_ENV] = "not-the-catalogues-key";
    const { report } = await runSelfCheck(wrongKey, "sky-kommune", "none", "sofie");
    const check = report.checks.find((c) => c.id === "privileges.attribute-service.demo-fagsystem");
    expect(check?.verdict).toBe("fail");
    expect(check?.reason.en).toMatch(/the service failed \(http_status\): .*40[13]/);
    expect(check?.fix?.en).toContain("reachable from the broker");
    // The answer itself verified: only the service failed.
    expect(report.checks.find((c) => c.id === "trust.answer-verified")?.verdict).toBe("pass");
  });

  it("does not ask a service for an IdP whose privileges come in the assertion", async () => {
    const { report } = await runSelfCheck(instance, "demo-kommune", "none", "hanne");
    expect(report.checks.filter((c) => c.id.startsWith("privileges.attribute-service"))).toEqual([]);
  });
});
