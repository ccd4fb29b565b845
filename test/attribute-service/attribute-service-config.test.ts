/** Attribute service configuration and the pure helpers around it. */
import { describe, expect, it } from "vitest";
import { ConfigError, validateConfig } from "../../src/config/load-config.js";
import { userIdentifier, serialOfSubjectName, UPN_CLAIM } from "../../src/backends/attribute-service/user-identifier.js";
import { cvrOfSubjectName, readRestAnswer } from "../../src/backends/attribute-service/rest-answer.js";
import { AttributeServiceError } from "../../src/backends/attribute-service/types.js";
import { metricsRegistry } from "../../src/observability/metrics.js";
import { AttributeServiceMetrics } from "../../src/backends/attribute-service/attribute-metrics.js";
import type { Person } from "../../src/model/identity.js";

const idp = { id: "k", displayName: "K", metadata: "m.xml", cvrs: ["29189846"] };
const rest = { id: "rk", kind: "rest", displayName: "RK", baseUrl: "https://rk.test", apiKey: { env: "RK_KEY" } };

function configProblem(raw: Record<string, unknown>): string {
  try {
    validateConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("configuration was accepted");
}

describe("attribute service configuration", () => {
  it("defaults every IdP to privileges from the assertion and every fagsystem to needing privileges", () => {
    const config = validateConfig({ identityProviders: [idp], serviceProviders: [{ id: "s", metadata: "s.xml" }] });
    expect(config.identityProviders[0]?.privilegeSource).toEqual({ from: "assertion", userIdentifier: "serial", forwardClaims: [] });
    expect(config.serviceProviders[0]?.needsPrivileges).toBe(true);
    expect(config.attributeServices).toEqual([]);
  });

  it("fills the REST defaults (OS2rollekatalog's path, ApiKey header, bounded time, retries, cache)", () => {
    const config = validateConfig({ attributeServices: [rest] });
    expect(config.attributeServices[0]).toEqual(
      expect.objectContaining({ path: "/api/user/{userId}/roles", systemParameter: "system", format: "os2rollekatalog", apiKey: { header: "ApiKey", env: "RK_KEY" }, timeoutMs: 3000, retries: 1, cacheSeconds: 60, unknownUser: "fail" }),
    );
  });

  it("refuses an IdP naming an unregistered service, or none", () => {
    expect(configProblem({ identityProviders: [{ ...idp, privilegeSource: { from: "both", attributeService: "nope" } }] })).toContain("attribute service nope, which is not in attributeServices");
    expect(configProblem({ identityProviders: [{ ...idp, privilegeSource: { from: "attribute-service" } }] })).toContain("needs attributeService");
  });

  it("refuses a REST service without authentication, an API key in YAML, mutual TLS over http, or a systems entry for an unknown fagsystem", () => {
    expect(configProblem({ attributeServices: [{ ...rest, apiKey: undefined }] })).toContain("needs apiKey or mutualTls");
    expect(configProblem({ attributeServices: [{ ...rest, apiKey: { env: "RK_KEY", value: "secret" } }] })).toMatch(/value|unrecognized/i);
    expect(configProblem({ attributeServices: [{ ...rest, baseUrl: "http://rk.test", mutualTls: { cert: "c", key: "k", ca: "a" } }] })).toContain("mutualTls needs an https baseUrl");
    expect(configProblem({ attributeServices: [{ ...rest, systems: { ghost: "x" } }] })).toContain("unknown fagsystem ghost");
    expect(configProblem({ attributeServices: [rest, rest] })).toContain("registered twice");
  });
});

describe("which user identifier is sent", () => {
  const person: Person = {
    nameId: "C=DK,O=29189846,CN=Hansen, Hanne,Serial=CVR:29189846-RID:1234",
    nameIdFormat: undefined,
    uuid: "8c1d7e5e-3f0a-4b8e-9c51-0d2a7e4b6f11",
    rid: undefined,
    cpr: undefined,
    firstName: undefined,
    lastName: undefined,
    fullName: undefined,
    email: "hanne@kommune.dk",
  };

  it("reads the Serial even when the CN holds a comma, and each other choice from its place", () => {
    expect(serialOfSubjectName(person.nameId)).toBe("CVR:29189846-RID:1234");
    expect(userIdentifier("serial", person, [])).toBe("CVR:29189846-RID:1234");
    expect(userIdentifier("nameId", person, [])).toBe(person.nameId);
    expect(userIdentifier("uuid", person, [])).toBe(person.uuid);
    expect(userIdentifier("email", person, [])).toBe("hanne@kommune.dk");
    expect(userIdentifier("upn", person, [{ name: UPN_CLAIM, values: ["hanne@kommune.onmicrosoft.com"] }])).toBe("hanne@kommune.onmicrosoft.com");
    expect(userIdentifier({ attribute: "urn:x:sam" }, person, [{ name: "urn:x:sam", values: ["hha"] }])).toBe("hha");
  });

  it("gives nothing when the identifier is missing, ambiguous or not plain text", () => {
    expect(userIdentifier("serial", { ...person, nameId: "8c1d7e5e" }, [])).toBeUndefined();
    expect(userIdentifier("upn", person, [{ name: UPN_CLAIM, values: ["a@x", "b@x"] }])).toBeUndefined();
    expect(userIdentifier({ attribute: "urn:x:sam" }, person, [{ name: "urn:x:sam", values: ["a\nb"] }])).toBeUndefined();
  });
});

describe("REST answers", () => {
  it("reads the organisation of an OS2rollekatalog nameID", () => {
    expect(cvrOfSubjectName("C=DK,O=29189846,CN=Anna,Serial=a")).toBe("29189846");
    expect(cvrOfSubjectName("anna")).toBeUndefined();
  });

  it("refuses role-list values the OIO-BPP serializer cannot carry", () => {
    const bad = JSON.stringify([{ role: "http://x.dk/roles/usersystemrole/a/1", constraints: [{ name: "http://c", values: ["a,b"] }] }]);
    expect(() => readRestAnswer(bad, "role-list", "29189846")).toThrow(AttributeServiceError);
    expect(() => readRestAnswer(JSON.stringify([{ role: "has space" }]), "role-list", "29189846")).toThrow(/not usable OIO-BPP/);
    expect(() => readRestAnswer(JSON.stringify({ oioBPP: 42 }), "os2rollekatalog", "29189846")).toThrow(/not an OS2rollekatalog roles document/);
  });

  it("escapes role-list text through the serializer instead of letting it become XML", () => {
    const decoded = readRestAnswer(JSON.stringify([{ role: "http://x.dk/roles/usersystemrole/a</Privilege><Privilege>evil/1" }]), "role-list", "29189846");
    expect(decoded.list.groups.map((g) => g.privileges)).toEqual([["http://x.dk/roles/usersystemrole/a</Privilege><Privilege>evil/1"]]);
  });
});

describe("metrics", () => {
  it("counts calls by outcome and exports them with a latency histogram in the process registry", async () => {
    const metrics = new AttributeServiceMetrics();
    metrics.recordCall("rk-metrics", "ok", 0.04);
    metrics.recordCall("rk-metrics", "ok", 3);
    metrics.recordCall("rk-metrics", "cache_hit", undefined);
    expect(metrics.count("rk-metrics", "ok")).toBe(2);
    expect(metrics.count("rk-metrics", "cache_hit")).toBe(1);
    const text = await metricsRegistry.metrics();
    expect(text).toContain('broker_attribute_service_calls_total{service="rk-metrics",outcome="ok"} 2');
    expect(text).toContain('broker_attribute_service_seconds_bucket{le="0.05",service="rk-metrics"} 1');
    expect(text).toContain('broker_attribute_service_seconds_bucket{le="5",service="rk-metrics"} 2');
    expect(text).toContain('broker_attribute_service_seconds_count{service="rk-metrics"} 2');
  });
});
