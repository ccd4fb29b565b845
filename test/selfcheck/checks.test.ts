import { beforeAll, describe, expect, it } from "vitest";
import { generateKeyPair } from "../../src/keys/generate-key-pair.js";
import { certificateBase64FromPem } from "../../src/keys/key-material.js";
import { allChecks, type SelfCheckInput } from "../../src/selfcheck/checks.js";
import { buildReport } from "../../src/selfcheck/build-report.js";
import { encodePrivilegesAttribute } from "../../src/profiles/bpp-codec.js";
import { BPP_NAMESPACES, cvrScope } from "../../src/profiles/bpp.js";
import { OIOSAML3, SPEC_VERSION_OIOSAML3 } from "../../src/profiles/oiosaml3-attributes.js";
import { samlUpstreamResult } from "../support/upstream-results.js";
import type { RawAttribute } from "../../src/model/upstream-result.js";
import type { RequestedLevel } from "../../src/selfcheck/report-types.js";
import { buildFailedReport } from "../../src/selfcheck/build-report.js";

const NOW = Date.parse("2026-06-01T12:00:00Z");
const CVR = "29189846";
let longLived: string;
let longLivedPem: string;
let expiringSoon: string;

beforeAll(async () => {
  const notBefore = new Date(NOW - 60_000);
  longLivedPem = ((await generateKeyPair({ commonName: "long", bits: 2048, validDays: 365, notBefore })).certificatePem);
  longLived = certificateBase64FromPem(longLivedPem);
  expiringSoon = certificateBase64FromPem((await generateKeyPair({ commonName: "soon", bits: 2048, validDays: 10, notBefore })).certificatePem);
});

function bpp(cvr: string): string {
  return encodePrivilegesAttribute({ namespace: BPP_NAMESPACES.itst, groups: [{ scope: cvrScope(cvr), privileges: ["http://kombit.dk/roles/jobrole/sagsbehandler/1"], constraints: [] }] });
}

function goodAttributes(cvr = CVR): RawAttribute[] {
  return [
    { name: OIOSAML3.specVersion, values: [SPEC_VERSION_OIOSAML3] },
    { name: OIOSAML3.kombitSpecVer, values: ["2.0"] },
    { name: OIOSAML3.cvr, values: [cvr] },
    { name: OIOSAML3.uuidPersistent, values: ["urn:uuid:7c9f2e1a-3b4d-4e5f-8a6b-1c2d3e4f5a6b"] },
    { name: OIOSAML3.loa, values: ["Substantial"] },
    { name: OIOSAML3.privilegesIntermediate, values: [bpp(CVR)] },
  ];
}

function input(overrides: { attributes?: RawAttribute[]; nameId?: string; idp?: Partial<SelfCheckInput["idp"]>; cert?: string; nsis?: boolean } = {}): SelfCheckInput {
  const result = samlUpstreamResult({
    upstreamId: "demo",
    issuer: "https://idp.example",
    nameId: overrides.nameId ?? "C=DK,O=Demo,CN=Anna,Serial=1234",
    nameIdFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName",
    attributes: overrides.attributes ?? goodAttributes(),
    level: overrides.nsis === false ? { nist: 2 } : { nsis: "Substantial" },
    authnInstant: new Date(NOW - 2000).toISOString(),
    assertionId: "_a1",
  });
  return {
    idp: { id: "demo", protocol: "saml", cvrs: [CVR], metadataValidUntil: new Date(NOW + 200 * 86_400_000), signingCertificates: [overrides.cert ?? longLivedPem], allowSha1: false, requireEncryptedAssertion: true, maxNsis: "High", privilegesFrom: "assertion", ...overrides.idp },
    brokerCertificate: longLived,
    result,
    fagsystems: [{ id: "sag", required: { kind: "nsis", minimum: "Substantial" } }],
    now: NOW,
  };
}

const verdictOf = (checks: ReturnType<typeof allChecks>, id: string) => checks.find((c) => c.id === id)?.verdict;

describe("self-check checks", () => {
  it("a correct IdP passes every check", () => {
    const checks = allChecks(input());
    expect(checks.filter((c) => c.verdict !== "pass")).toEqual([]);
    expect(checks.map((c) => c.area)).toEqual(expect.arrayContaining(["trust", "algorithms", "identity", "organisation", "privileges", "levels", "clock"]));
  });

  it("a certificate expiring within 30 days is a warning with what to do", () => {
    const check = allChecks(input({ cert: expiringSoon })).find((c) => c.id === "trust.idp-certificate.1");
    expect(check?.verdict).toBe("warn");
    expect(check?.fix?.en).toMatch(/Renew/);
  });

  it("expired metadata fails", () => {
    expect(verdictOf(allChecks(input({ idp: { metadataValidUntil: new Date(NOW - 86_400_000) } })), "trust.metadata-valid-until")).toBe("fail");
  });

  it("SHA-1 allowed by the registration and no encryption are warnings", () => {
    const checks = allChecks(input({ idp: { allowSha1: true, requireEncryptedAssertion: false } }));
    expect(verdictOf(checks, "algorithms.sha1")).toBe("warn");
    expect(verdictOf(checks, "algorithms.encryption")).toBe("warn");
  });

  it("reads the algorithms and the clock from the answer as it was verified", () => {
    const base = input();
    const seen = { issueInstant: new Date(NOW - 1000).toISOString(), signatureAlgorithms: ["http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"], digestAlgorithms: ["http://www.w3.org/2001/04/xmlenc#sha256"], dataEncryption: "http://www.w3.org/2009/xmlenc11#aes256-gcm", keyTransport: "http://www.w3.org/2009/xmlenc11#rsa-oaep" };
    const good = allChecks({ ...base, result: { ...base.result, diagnostics: seen } });
    expect(good.filter((c) => c.verdict !== "pass")).toEqual([]);
    expect(good.find((c) => c.id === "algorithms.encryption")?.reason.en).toContain("aes256-gcm");
    const bad = allChecks({ ...base, result: { ...base.result, diagnostics: { ...seen, issueInstant: new Date(NOW + 90_000).toISOString(), signatureAlgorithms: ["http://www.w3.org/2000/09/xmldsig#rsa-sha1"], dataEncryption: "http://www.w3.org/2001/04/xmlenc#aes128-cbc" } } });
    expect(verdictOf(bad, "algorithms.signature")).toBe("fail");
    expect(verdictOf(bad, "algorithms.encryption")).toBe("warn");
    expect(bad.find((c) => c.id === "clock.skew")?.reason.en).toContain("90 s ahead");
    const plain = allChecks({ ...base, result: { ...base.result, diagnostics: { ...seen, dataEncryption: undefined, keyTransport: undefined } } });
    expect(verdictOf(plain, "algorithms.encryption")).toBe("warn");
  });

  it("a NameID without Serial= fails", () => {
    expect(verdictOf(allChecks(input({ nameId: "CN=Anna" })), "identity.name-id")).toBe("fail");
  });

  it("a missing CVR and specVersion fail; an unregistered CVR fails", () => {
    const without = allChecks(input({ attributes: goodAttributes().filter((a) => a.name !== OIOSAML3.cvr && a.name !== OIOSAML3.specVersion) }));
    expect(verdictOf(without, "identity.attributes")).toBe("fail");
    expect(verdictOf(without, "identity.spec-version")).toBe("fail");
    expect(verdictOf(without, "organisation.cvr")).toBe("fail");
    expect(verdictOf(allChecks(input({ attributes: goodAttributes("11111111") })), "organisation.cvr")).toBe("fail");
  });

  it("privileges scoped to another CVR fail, naming the scope", () => {
    const attributes = goodAttributes().map((a) => (a.name === OIOSAML3.privilegesIntermediate ? { ...a, values: [bpp("11111111")] } : a));
    const check = allChecks(input({ attributes })).find((c) => c.id === "privileges.bpp");
    expect(check?.verdict).toBe("fail");
    expect(check?.reason.en).toContain("11111111");
  });

  it("no NSIS level warns, and the fagsystem needing Substantial would need a step-up", () => {
    const checks = allChecks(input({ nsis: false }));
    expect(verdictOf(checks, "levels.asserted")).toBe("warn");
    expect(checks.find((c) => c.id === "levels.fagsystem.sag")?.reason.en).toMatch(/step-up/);
  });

  it("says what each role becomes in each fagsystem with role mappings", () => {
    const base = input();
    const roles = { systemId: "https://sag.example", namespace: BPP_NAMESPACES.digst, userSystemRoles: new Set(["http://sag.example/roles/usersystemrole/sag/1"]), mappings: [{ jobFunctionRole: "http://kombit.dk/roles/jobrole/sagsbehandler/1", userSystemRole: "http://sag.example/roles/usersystemrole/sag/1", restrictions: [] }] };
    const checks = allChecks({ ...base, fagsystems: [{ id: "sag", required: { kind: "none" }, roles }] });
    const check = checks.find((c) => c.id === "privileges.fagsystem.sag");
    expect(check?.verdict).toBe("pass");
    expect(check?.reason.en).toMatch(/^The roles become: .*http:\/\/sag\.example\/roles\/usersystemrole\/sag\/1/);
    const unmapped = allChecks({ ...base, fagsystems: [{ id: "sag", required: { kind: "none" }, roles: { ...roles, mappings: [{ ...roles.mappings[0]!, jobFunctionRole: "http://other/role" }] } }] });
    expect(unmapped.find((c) => c.id === "privileges.fagsystem.sag")?.reason.en).toMatch(/^No role gives access here: .*no role mapping/);
  });

  it("an IdP registered without NSIS levels, or with an attribute service, is not faulted for sending neither", () => {
    const checks = allChecks(input({ nsis: false, idp: { maxNsis: "none", privilegesFrom: "attribute-service" }, attributes: goodAttributes().filter((a) => a.name !== OIOSAML3.privilegesIntermediate) }));
    expect(verdictOf(checks, "levels.asserted")).toBe("pass");
    expect(verdictOf(checks, "privileges.bpp")).toBe("pass");
  });

  it("the report's overall verdict is the worst check", () => {
    expect(buildReport({ id: "demo", displayName: "Demo", cvr: CVR }, input(), NOW).overall).toBe("pass");
    expect(buildReport({ id: "demo", displayName: "Demo", cvr: CVR }, input({ nameId: "CN=x" }), NOW).overall).toBe("fail");
  });

  it("a requested level not sent under the registration's profile is a warning when unmet, naming the profile", () => {
    const requested: RequestedLevel = { level: { kind: "nsis", minimum: "Substantial" }, described: "NSIS Substantial", sentAs: { protocol: "saml", profile: "OIOSAML2_WITHOUT_REQUESTED_LOA", classRefs: [] }, realLoginStepsUp: false };
    const unmet = allChecks({ ...input({ nsis: false }), requested }).find((c) => c.id === "levels.requested");
    expect(unmet?.verdict).toBe("warn");
    expect(unmet?.reason.en).toContain("not sent (OIOSAML profile OIOSAML2_WITHOUT_REQUESTED_LOA sends no RequestedAuthnContext");
    expect(allChecks({ ...input(), requested }).find((c) => c.id === "levels.requested")?.verdict).toBe("pass");
    const oidc: RequestedLevel = { ...requested, sentAs: { protocol: "oidc", acrValues: "https://data.gov.dk/concept/core/nsis/loa/Substantial" } };
    expect(allChecks({ ...input({ nsis: false }), requested: oidc }).find((c) => c.id === "levels.requested")?.reason.en).toContain("sent as acr_values=https://data.gov.dk/concept/core/nsis/loa/Substantial");
  });

  it("an error status other than NoAuthnContext to a requested level fails trust and warns that the level could not be seen", () => {
    const requested: RequestedLevel = { level: { kind: "nist", minimum: 3 }, described: "NIST level 3", sentAs: { protocol: "saml", profile: "OIOSAML3", classRefs: ["urn:dk:gov:saml:attribute:AssuranceLevel:3"] }, realLoginStepsUp: false };
    const report = buildFailedReport({ id: "demo", displayName: "Demo", cvr: CVR }, { reason: "upstream_status", status: "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed", message: "IdP answered Responder / AuthnFailed" }, { requested }, NOW);
    expect(report.checks.map((c) => [c.id, c.verdict])).toEqual([["trust.answer-verified", "fail"], ["levels.requested", "warn"]]);
    expect(report.requested).toEqual(requested);
  });

  it("warns of OIOSAML 3 attributes sent without NameFormat uri, naming each and its format", () => {
    const base = input();
    const uri = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri";
    const formats = base.result.attributes.map((a) => ({ name: a.name, nameFormat: uri }));
    const diagnostics = { issueInstant: undefined, signatureAlgorithms: [], digestAlgorithms: [], dataEncryption: "http://www.w3.org/2009/xmlenc11#aes256-gcm", keyTransport: undefined };
    const good = allChecks({ ...base, result: { ...base.result, diagnostics: { ...diagnostics, attributeNameFormats: formats } } }).find((c) => c.id === "identity.name-format");
    expect(good).toMatchObject({ verdict: "pass", reason: { en: `All ${formats.length} OIOSAML 3 attributes have NameFormat uri.` } });
    const mixed = [...formats.map((f) => (f.name === OIOSAML3.cvr ? { ...f, nameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:basic" } : f.name === OIOSAML3.specVersion ? { ...f, nameFormat: undefined } : f)), { name: "dk:gov:saml:attribute:KombitSpecVer", nameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:basic" }];
    const bad = allChecks({ ...base, result: { ...base.result, diagnostics: { ...diagnostics, attributeNameFormats: mixed } } }).find((c) => c.id === "identity.name-format");
    expect(bad?.verdict).toBe("warn");
    // Legacy names are not OIOSAML 3 attributes: their basic format is not counted.
    expect(bad?.reason.en).toBe(`2 of ${formats.length} OIOSAML 3 attributes do not have NameFormat uri: ${OIOSAML3.specVersion} (-); ${OIOSAML3.cvr} (urn:oasis:names:tc:SAML:2.0:attrname-format:basic).`);
    // Without the diagnostics (an answer not read by the SAML backend) there is nothing to say.
    expect(allChecks(base).some((c) => c.id === "identity.name-format")).toBe(false);
  });

  it("checks KombitSpecVer: 2.0 under either name passes, missing or another value warns", () => {
    const kombit = (attributes: RawAttribute[]) => allChecks(input({ attributes })).find((c) => c.id === "identity.kombit-spec-version");
    const without = goodAttributes().filter((a) => a.name !== OIOSAML3.kombitSpecVer);
    expect(kombit(goodAttributes())).toMatchObject({ verdict: "pass" });
    expect(kombit([...without, { name: "dk:gov:saml:attribute:KombitSpecVer", values: ["2.0"] }])).toMatchObject({ verdict: "pass", reason: { en: "dk:gov:saml:attribute:KombitSpecVer is 2.0." } });
    expect(kombit(without)).toMatchObject({ verdict: "warn", reason: { en: "KombitSpecVer was not sent." } });
    expect(kombit([...without, { name: OIOSAML3.kombitSpecVer, values: ["1.0"] }])?.reason.en).toBe(`${OIOSAML3.kombitSpecVer} is 1.0, not 2.0.`);
  });
});
