import { describe, expect, it } from "vitest";
import { loadConfig, validateConfig } from "../../src/config/load-config.js";

const idp = { id: "k", displayName: "K", metadata: "x.xml", cvrs: ["29189846"] };

describe("step-up configuration", () => {
  it("has no NemLog-in and no step-up by default", () => {
    const config = validateConfig({ identityProviders: [idp] });
    expect(config.nemlogin).toBeUndefined();
    expect(config.identityProviders[0]).toMatchObject({ stepUp: false, stepUpBinding: "uuid" });
  });

  it("fills NemLog-in's OIOSAML 3 defaults", () => {
    const config = validateConfig({ nemlogin: { metadata: "n.xml", entityId: "https://saml.nemlog-in.dk" } });
    expect(config.nemlogin).toEqual({
      metadata: "n.xml",
      entityId: "https://saml.nemlog-in.dk",
      displayName: "NemLog-in",
      allowSha1: false,
      allowExpiredCertificate: false,
      skipCertificateChain: false,
      requireSignedAssertion: true,
      requireEncryptedAssertion: true,
      requestProfessionalIdentity: true,
      stepUpMaxAgeSeconds: 3600,
    });
  });

  it("names the field of a wrong setting", () => {
    expect(() => validateConfig({ nemlogin: { metadata: "n.xml" } })).toThrow(/nemlogin\.entityId/);
    expect(() => validateConfig({ nemlogin: { metadata: "n.xml", entityId: "e", stepUpMaxAge: 5 } })).toThrow(/nemlogin/);
    expect(() => validateConfig({ nemlogin: { metadata: "n.xml", entityId: "e", stepUpMaxAgeSeconds: -1 } })).toThrow(/nemlogin\.stepUpMaxAgeSeconds/);
    expect(() => validateConfig({ identityProviders: [{ ...idp, stepUpBinding: "email" }] })).toThrow(/identityProviders\.0\.stepUpBinding/);
  });

  it("the shipped demo registers Vest Kommune for step-up and the demo NemLog-in", () => {
    const config = loadConfig("config/demo", {});
    expect(config.nemlogin?.entityId).toBe("https://saml.demo-nemlog-in.localhost");
    expect(config.identityProviders.find((p) => p.id === "vest-kommune")).toMatchObject({ stepUp: true, stepUpBinding: "uuid", maxLevel: { nist: 3, nsis: "none" } });
    expect(config.serviceProviders.find((p) => p.id === "demo-fagsystem")?.requiredLevel).toEqual({ nsis: "Substantial" });
  });
});
