/**
 * `npm run selfcheck -- --idp <id|CVR>`: the checks that need no login, read
 * from the demo's configuration and the metadata and keys the running demo
 * wrote, by IdP id or CVR, as text and as JSON.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load-config.js";
import type { BrokerConfig } from "../../src/config/schema.js";
import { formatSelfCheck, selfCheckFromConfig, UnknownIdp } from "../../src/cli/selfcheck.js";
import { startDemoInstance, type DemoInstance } from "../support/demo-instance.js";

describe("the self-check command", () => {
  let instance: DemoInstance;
  let config: BrokerConfig;

  beforeAll(async () => {
    instance = await startDemoInstance();
    const shipped = loadConfig("config/demo", {});
    // The demo's configuration as the running instance has it: metadata and keys in its folder.
    config = {
      ...shipped,
      keys: { ...shipped.keys, generateIfMissing: false, signing: { key: join(instance.workDir, "keys", "broker-signing.key.pem"), cert: join(instance.workDir, "keys", "broker-signing.cert.pem") } },
      identityProviders: shipped.identityProviders.map((p) => ({ ...p, metadata: join(instance.workDir, "metadata", "idps", `${p.id}.xml`) })),
      serviceProviders: shipped.serviceProviders.map((p) => ({ ...p, metadata: join(instance.workDir, "metadata", "sps", `${p.id}.xml`) })),
      nemlogin: shipped.nemlogin && { ...shipped.nemlogin, metadata: join(instance.workDir, "metadata", "nemlogin.xml") },
    };
  });

  afterAll(async () => {
    await instance?.stop();
  });

  it("passes Demo Kommune, found by its id", () => {
    const report = selfCheckFromConfig(config, "demo-kommune");
    expect(report.scope).toBe("registration");
    expect(report.checks.filter((c) => c.verdict !== "pass")).toEqual([]);
    expect(report.checks.map((c) => c.id)).toEqual(expect.arrayContaining(["trust.idp-certificate.1", "trust.broker-certificate", "algorithms.sha1"]));
  });

  it("finds Fejl Kommune by its CVR and warns of its expiring certificate and SHA-1, with what to do", () => {
    const report = selfCheckFromConfig(config, "77889900");
    expect(report.idp.id).toBe("fejl-kommune");
    expect(report.overall).toBe("warn");
    const text = formatSelfCheck(report, config.baseUrl);
    expect(text).toMatch(/WARN The IdP's signing certificate 1: Expires .* \(in 19 days\)/);
    expect(text).toContain("WARN Signature algorithm: The registration allows SHA-1 signatures.");
    expect(text).toContain("what to do: Renew the certificate");
    expect(text).toContain("/selfcheck in a browser");
    expect(JSON.parse(JSON.stringify(report))).toMatchObject({ overall: "warn", idp: { cvr: "77889900" } });
  });

  it("names the registered IdPs when the one asked for is unknown", () => {
    expect(() => selfCheckFromConfig(config, "99999999")).toThrow(UnknownIdp);
    expect(() => selfCheckFromConfig(config, "99999999")).toThrow(/demo-kommune 29189846/);
  });
});
