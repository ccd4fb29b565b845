import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EnvironmentValueError, readEnvironmentValue } from "../../src/config/environment-value.js";
import { applyEnvironment, ConfigError, validateConfig } from "../../src/config/load-config.js";
import { oidcClientSchema } from "../../src/config/oidc-client-schema.js";
import { loadOidcClients } from "../../src/trust/oidc-clients.js";

const dir = mkdtempSync(join(tmpdir(), "broker-secrets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function secretFile(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

describe("settings from the environment or from mounted files", () => {
  it("reads the variable itself", () => {
    expect(readEnvironmentValue({ BROKER_COOKIE_SECRET: "from-the-environment" }, "BROKER_COOKIE_SECRET")).toBe("from-the-environment");
  });

  it("reads <NAME>_FILE, without the file's trailing line break", () => {
    const path = secretFile("cookie", "from-a-mounted-file\n");
    expect(readEnvironmentValue({ BROKER_COOKIE_SECRET_FILE: path }, "BROKER_COOKIE_SECRET")).toBe("from-a-mounted-file");
  });

  it("is absent when neither is set, or both are empty", () => {
    expect(readEnvironmentValue({}, "BROKER_COOKIE_SECRET")).toBeUndefined();
    expect(readEnvironmentValue({ BROKER_COOKIE_SECRET: "", BROKER_COOKIE_SECRET_FILE: "" }, "BROKER_COOKIE_SECRET")).toBeUndefined();
  });

  it("refuses both at once", () => {
    const path = secretFile("both", "x".repeat(40));
    expect(() => readEnvironmentValue({ BROKER_COOKIE_SECRET: "y".repeat(40), BROKER_COOKIE_SECRET_FILE: path }, "BROKER_COOKIE_SECRET")).toThrow(/BROKER_COOKIE_SECRET or BROKER_COOKIE_SECRET_FILE, not both/);
  });

  it("refuses a missing or empty file, naming the variable and the file but never a value", () => {
    const missing = join(dir, "no-such-file");
    expect(() => readEnvironmentValue({ BROKER_METRICS_TOKEN_FILE: missing }, "BROKER_METRICS_TOKEN")).toThrow(EnvironmentValueError);
    expect(() => readEnvironmentValue({ BROKER_METRICS_TOKEN_FILE: missing }, "BROKER_METRICS_TOKEN")).toThrow(`BROKER_METRICS_TOKEN_FILE: cannot read ${missing}: ENOENT`);
    const empty = secretFile("empty", "\n");
    expect(() => readEnvironmentValue({ BROKER_METRICS_TOKEN_FILE: empty }, "BROKER_METRICS_TOKEN")).toThrow(/is empty/);
  });

  it("applies to every setting the environment may give, as a configuration error", () => {
    const path = secretFile("store-url", "redis://:pw@redis.internal:6379/1\n");
    const config = validateConfig(applyEnvironment({ cookieSecret: "c".repeat(40) }, { BROKER_STORE_URL_FILE: path }));
    expect(config.store.url).toBe("redis://:pw@redis.internal:6379/1");
    expect(() => applyEnvironment({}, { BROKER_STORE_URL_FILE: join(dir, "absent") })).toThrow(ConfigError);
  });
});

describe("an OIDC client secret", () => {
  const client = oidcClientSchema.parse({
    id: "sagssystem",
    clientId: "sagssystem",
    requiredLevel: { nsis: "Substantial" },
    redirectUris: ["https://sagssystem.test/callback"],
    tokenEndpointAuthMethod: "client_secret_basic",
    clientSecretEnv: "SAGSSYSTEM_SECRET",
  });

  it("comes from the variable or from a mounted file", () => {
    expect(loadOidcClients([client], { SAGSSYSTEM_SECRET: "s".repeat(40) })[0]?.clientSecret).toBe("s".repeat(40));
    const path = secretFile("client-secret", `${"f".repeat(40)}\n`);
    expect(loadOidcClients([client], { SAGSSYSTEM_SECRET_FILE: path })[0]?.clientSecret).toBe("f".repeat(40));
  });

  it("is refused, as configuration, when neither is set or the file cannot be read", () => {
    expect(() => loadOidcClients([client], {})).toThrow(/SAGSSYSTEM_SECRET holding the client secret is not set \(nor SAGSSYSTEM_SECRET_FILE\)/);
    expect(() => loadOidcClients([client], { SAGSSYSTEM_SECRET_FILE: join(dir, "absent") })).toThrow(ConfigError);
  });
});

describe("the cookie secret", () => {
  it("is required with a shared store, with a message that says how to set it", () => {
    expect(() => validateConfig({ store: { url: "redis://redis.internal:6379" } })).toThrow(ConfigError);
    expect(() => validateConfig({ store: { url: "redis://redis.internal:6379" } })).toThrow(/cookieSecret: required with a shared store.*BROKER_COOKIE_SECRET_FILE/);
  });

  it("must be at least 32 characters, and the message does not repeat it", () => {
    let message = "";
    try {
      validateConfig({ cookieSecret: "tooShort-Qx7v", store: { url: "redis://redis.internal:6379" } });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/cookieSecret: cookieSecret must be at least 32 characters/);
    expect(message).not.toContain("tooShort-Qx7v");
  });

  it("may be left out with the memory store (each process generates its own)", () => {
    expect(validateConfig({}).cookieSecret).toBeUndefined();
  });
});
