/** The user store's configuration: what is refused at start-up. */
import { describe, expect, it } from "vitest";
import { userStoreSchema } from "../../src/config/user-store-schema.js";

const valid = { port: 8443, tls: { cert: "s.crt", key: "s.key" }, municipalities: [{ cvr: "29189846", clientCertificates: ["a.pem"] }] };

function problems(input: unknown): string[] {
  const parsed = userStoreSchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

describe("userStore configuration", () => {
  it("takes a listener, its TLS files and the pinned municipalities, with defaults for the rest", () => {
    const parsed = userStoreSchema.parse(valid);
    expect(parsed.host).toBe("0.0.0.0");
    expect(parsed.recordTtlSeconds).toBe(7 * 86_400);
    expect(parsed.clientCa).toEqual([]);
  });

  it.each([
    ["a municipality listed twice", { ...valid, municipalities: [...valid.municipalities, ...valid.municipalities] }, "municipalities.1.cvr: municipality 29189846 is listed twice"],
    ["a CVR that is not 8 digits", { ...valid, municipalities: [{ cvr: "2918", clientCertificates: ["a.pem"] }] }, "municipalities.0.cvr: a CVR number is 8 digits"],
    ["a municipality without a client certificate", { ...valid, municipalities: [{ cvr: "29189846", clientCertificates: [] }] }, "municipalities.0.clientCertificates"],
    ["no municipality", { ...valid, municipalities: [] }, "municipalities"],
    ["no TLS key", { ...valid, tls: { cert: "s.crt" } }, "tls.key"],
    ["a time to live under a minute", { ...valid, recordTtlSeconds: 5 }, "recordTtlSeconds"],
    ["an unknown key", { ...valid, apiKey: "x" }, "Unrecognized key"],
  ])("refuses %s", (_name, input, expected) => {
    expect(problems(input).join("\n")).toContain(expected);
  });
});
