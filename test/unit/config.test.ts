import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig } from "../../src/config/load-config.js";

const folders: string[] = [];

function configFolder(files: Record<string, string>): string {
  const folder = mkdtempSync(join(tmpdir(), "broker-config-"));
  folders.push(folder);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(folder, name), content);
  return folder;
}

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError, but nothing was thrown");
}

afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

const BASE = `
baseUrl: https://broker.kommune.test
entityId: https://saml.broker.kommune.test
port: 8443
timing:
  loginTtlSeconds: 300
organisations:
  - { cvr: "29189846", name: "Demo Kommune" }
identityProviders:
  - id: kommune-a
    displayName: Kommune A
    metadata: metadata/idps/a.xml
    cvrs: ["29189846"]
serviceProviders:
  - id: fagsystem-a
    metadata: metadata/sps/a.xml
`;

const MORE = `
timing:
  clockSkewSeconds: 60
organisations:
  - { cvr: "12345678", name: "Anden Kommune" }
identityProviders:
  - id: kommune-b
    displayName: Kommune B
    metadata: metadata/idps/b.xml
    cvrs: ["12345678", "87654321"]
    allowSha1: true
serviceProviders:
  - id: fagsystem-b
    metadata: metadata/sps/b.xml
    requiredLevel: { nist: 3 }
`;

const IDP_A = `
identityProviders:
  - id: kommune-a
    displayName: Kommune A
    metadata: metadata/idps/a.xml
    cvrs: ["29189846"]
`;

describe("loadConfig", () => {
  it("merges every YAML file of the folder and concatenates the party lists", () => {
    const config = loadConfig(configFolder({ "10-broker.yaml": BASE, "20-more.yml": MORE, "notes.txt": "not: [yaml" }), {});
    expect(config.baseUrl).toBe("https://broker.kommune.test");
    expect(config.port).toBe(8443);
    expect(config.identityProviders.map((p) => p.id)).toEqual(["kommune-a", "kommune-b"]);
    expect(config.serviceProviders.map((p) => p.id)).toEqual(["fagsystem-a", "fagsystem-b"]);
    expect(config.organisations.map((o) => o.cvr)).toEqual(["29189846", "12345678"]);
    // Objects are deep-merged: each file's timing field survives, the rest are defaults.
    expect(config.timing.loginTtlSeconds).toBe(300);
    expect(config.timing.clockSkewSeconds).toBe(60);
    expect(config.timing.assertionLifetimeSeconds).toBe(300);
  });

  it("applies the schema defaults to each party", () => {
    const config = loadConfig(configFolder({ "a.yaml": BASE, "b.yaml": MORE }), {});
    const [a, b] = config.identityProviders;
    expect(a).toMatchObject({ sendScoping: false, allowSha1: false, requireSignedAssertion: true, requireEncryptedAssertion: false });
    expect(b).toMatchObject({ cvrs: ["12345678", "87654321"], allowSha1: true });
    expect(config.serviceProviders[0]?.requiredLevel).toBe("none");
    expect(config.serviceProviders[1]?.requiredLevel).toEqual({ nist: 3 });
    expect(config.store.url).toBe("memory");
  });

  it("reads the files in name order: a later file overrides a scalar", () => {
    const config = loadConfig(configFolder({ "b.yaml": "port: 2222\n", "a.yaml": "port: 1111\n" }), {});
    expect(config.port).toBe(2222);
  });

  it("lets environment variables override the files", () => {
    const folder = configFolder({ "broker.yaml": BASE });
    const config = loadConfig(folder, { BROKER_PORT: "9999", BROKER_STORE_URL: "redis://redis.internal:6379/2", BROKER_LOG_LEVEL: "warn", BROKER_COOKIE_SECRET: "a-cookie-secret-shared-by-all-instances-0123" });
    expect(config.port).toBe(9999);
    expect(config.store.url).toBe("redis://redis.internal:6379/2");
    expect(config.log.level).toBe("warn");
    expect(config.baseUrl).toBe("https://broker.kommune.test");
  });

  it("ignores empty environment variables", () => {
    const config = loadConfig(configFolder({ "broker.yaml": BASE }), { BROKER_PORT: "", BROKER_STORE_URL: "" });
    expect(config.port).toBe(8443);
    expect(config.store.url).toBe("memory");
  });

  it("validates environment values like file values", () => {
    const error = configError(() => loadConfig(configFolder({ "broker.yaml": BASE }), { BROKER_PORT: "not-a-port" }));
    expect(error.message).toMatch(/^\s+port: /m);
  });

  it("names the path of an invalid field", () => {
    const bad = IDP_A.replace('cvrs: ["29189846"]', 'cvrs: ["2918984x"]');
    const error = configError(() => loadConfig(configFolder({ "broker.yaml": bad }), {}));
    expect(error.message).toContain("identityProviders.0.cvrs.0");
    expect(error.message).toContain("a CVR number is 8 digits");
  });

  it("names the path of an invalid field in a later file, counted in the merged list", () => {
    const bad = MORE.replace("requiredLevel: { nist: 3 }", "requiredLevel: { nist: 5 }");
    const error = configError(() => loadConfig(configFolder({ "a.yaml": BASE, "b.yaml": bad }), {}));
    expect(error.message).toContain("serviceProviders.1.requiredLevel");
  });

  it("rejects unknown fields instead of ignoring a typo", () => {
    const error = configError(() => loadConfig(configFolder({ "broker.yaml": `${BASE}\nbaseURL: https://typo.test\n` }), {}));
    expect(error.message).toContain("baseURL");
  });

  it("rejects a duplicate party id across files", () => {
    const error = configError(() => loadConfig(configFolder({ "a.yaml": BASE, "b.yaml": IDP_A }), {}));
    expect(error.message).toContain("duplicate id kommune-a");
  });

  it("rejects a duplicate fagsystem id", () => {
    const twice = "serviceProviders:\n  - { id: fagsystem-a, metadata: x.xml }\n  - { id: fagsystem-a, metadata: y.xml }\n";
    const error = configError(() => loadConfig(configFolder({ "broker.yaml": twice }), {}));
    expect(error.message).toContain("duplicate id fagsystem-a");
  });

  it("allows the same id for an IdP and a fagsystem", () => {
    const config = loadConfig(configFolder({ "a.yaml": IDP_A, "b.yaml": "serviceProviders:\n  - { id: kommune-a, metadata: x.xml }\n" }), {});
    expect(config.identityProviders[0]?.id).toBe("kommune-a");
    expect(config.serviceProviders[0]?.id).toBe("kommune-a");
  });

  it("reports a YAML syntax error with the file name", () => {
    const folder = configFolder({ "broken.yaml": "identityProviders: [\n" });
    const error = configError(() => loadConfig(folder, {}));
    expect(error.message).toContain(join(folder, "broken.yaml"));
    expect(error.message).toContain("not valid YAML");
  });

  it("refuses a file whose top level is not a mapping", () => {
    const error = configError(() => loadConfig(configFolder({ "list.yaml": "- a\n- b\n" }), {}));
    expect(error.message).toContain("must hold a mapping");
  });

  it("reports a missing folder as a ConfigError", () => {
    const error = configError(() => loadConfig(join(tmpdir(), "no-such-broker-config-folder"), {}));
    expect(error.message).toContain("cannot read configuration folder");
  });

  it("gives the defaults for an empty folder", () => {
    const config = loadConfig(configFolder({}), {});
    expect(config.port).toBe(8080);
    expect(config.identityProviders).toEqual([]);
    expect(config.keys.bits).toBe(3072);
  });
});

describe("the shipped configurations", () => {
  it("config/demo validates and registers the demo parties", () => {
    const config = loadConfig("config/demo", {});
    expect(config.baseUrl).toBe("http://127.0.0.1:8080");
    expect(config.keys.generateIfMissing).toBe(true);
    expect(config.identityProviders.map((p) => p.id).slice(0, 1)).toEqual(["demo-kommune"]);
    expect(config.identityProviders.map((p) => p.id)).toContain("sky-kommune");
    // The misconfigured municipality the self-check finds mistakes at.
    expect(config.identityProviders.find((p) => p.id === "fejl-kommune")?.allowSha1).toBe(true);
    expect(config.selfCheck.enabled).toBe(true);
    expect(config.identityProviders[0]?.cvrs).toEqual(["29189846"]);
    expect(config.identityProviders[0]?.requireEncryptedAssertion).toBe(true);
    expect(config.serviceProviders.map((p) => p.id)).toEqual(["demo-fagsystem", "seb"]);
    expect(config.serviceProviders[1]?.attributeProfile).toBe("SEB");
    expect(config.serviceProviders[0]?.requiredLevel).toEqual({ nsis: "Substantial" });
    expect(config.organisations).toEqual(
      expect.arrayContaining([
        { cvr: "29189846", name: "Demo Kommune" },
        { cvr: "11223344", name: "Nabo Kommune" },
        { cvr: "33445566", name: "Sky Kommune" },
      ]),
    );
    // The Entra-like Sky Kommune takes its privileges from its role catalogue, the key from the environment.
    expect(config.identityProviders.find((p) => p.id === "sky-kommune")?.privilegeSource).toEqual(expect.objectContaining({ from: "attribute-service", attributeService: "sky-rollekatalog", userIdentifier: "upn" }));
    expect(config.attributeServices).toEqual([expect.objectContaining({ id: "sky-rollekatalog", kind: "rest", apiKey: { header: "ApiKey", env: "DEMO_ROLLER_API_KEY" } })]);
    expect(config.serviceProviders[0]?.roleMappings.length).toBeGreaterThan(0);
    expect(config.jobFunctionRoles.map((r) => r.owner)).toEqual(["11223344"]);
  });

  it("the production template in config/ validates", () => {
    const config = loadConfig("config", {});
    expect(config.baseUrl).toBe("https://broker.example.dk");
    expect(config.host).toBe("0.0.0.0");
  });
});
