import { describe, expect, it } from "vitest";
import { checkSamePerson, readNemLogInIdentity, type NemLogInIdentity } from "../../src/profiles/nemlogin-profile.js";
import { ProfileError } from "../../src/profiles/oiosaml3-profile.js";
import { OIOSAML3, LEGACY } from "../../src/profiles/oiosaml3-attributes.js";
import { NAMEID_FORMAT } from "../../src/saml/namespaces.js";
import { DEFAULT_NIST_FROM_NSIS, OIOSAML_REFERENCE_NIST_FROM_NSIS } from "../../src/profiles/levels.js";
import { stepUpLevelFor, upstreamsForReuse } from "../../src/login/steps/step-up.js";
import type { BrokerContext } from "../../src/broker-context.js";
import { municipalRequirement } from "../../src/backends/saml-sp/upstream-party.js";
import type { LoginRequest } from "../../src/model/login-request.js";
import { samlUpstreamResult } from "../support/upstream-results.js";
import type { Person } from "../../src/model/identity.js";
import type { RawAttribute, UpstreamResult } from "../../src/model/upstream-result.js";
import type { IdentityProvider, SamlIdentityProvider } from "../../src/trust/registry.js";
import { identityProviderSchema } from "../../src/config/schema.js";

const UUID = "8c1d7e5e-3f0a-4b8e-9c51-0d2a7e4b6f11";
const PROFESSIONAL = (uuid: string) => `https://data.gov.dk/model/core/eid/professional/uuid/${uuid}`;

function attributes(values: Record<string, string>): RawAttribute[] {
  return Object.entries(values).map(([name, value]) => ({ name, values: [value] }));
}

function reason(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    if (error instanceof ProfileError) return error.reason;
    throw error;
  }
}

describe("readNemLogInIdentity", () => {
  const base = { [OIOSAML3.cvr]: "29189846", [OIOSAML3.uuidPersistent]: UUID, [OIOSAML3.loa]: "Substantial" };

  it("reads a professional identity: UUID from the NameID, CVR, RID, CPR, NSIS level", () => {
    const identity = readNemLogInIdentity(
      PROFESSIONAL(UUID.toUpperCase()),
      NAMEID_FORMAT.persistent,
      attributes({ ...base, [OIOSAML3.rid]: "12345", [OIOSAML3.cprNumber]: "0101701234" }),
      { nsis: "Substantial" },
    );
    expect(identity).toEqual({ uuid: UUID, cvr: "29189846", rid: "12345", cpr: "0101701234", nsis: "Substantial" });
  });

  it("accepts a missing UUID attribute (the NameID carries it)", () => {
    const { [OIOSAML3.uuidPersistent]: _omit, ...rest } = base;
    expect(readNemLogInIdentity(PROFESSIONAL(UUID), NAMEID_FORMAT.persistent, attributes(rest), { nsis: "High" }).uuid).toBe(UUID);
  });

  it("refuses what is not a persistent professional identity, or contradicts itself", () => {
    const attrs = attributes(base);
    expect(reason(() => readNemLogInIdentity(PROFESSIONAL(UUID), NAMEID_FORMAT.x509SubjectName, attrs, { nsis: "Substantial" }))).toBe("nemlogin_nameid_invalid");
    expect(reason(() => readNemLogInIdentity(`C=DK,O=29189846,CN=X,Serial=${UUID}`, NAMEID_FORMAT.persistent, attrs, { nsis: "Substantial" }))).toBe("nemlogin_nameid_invalid");
    expect(reason(() => readNemLogInIdentity(`https://data.gov.dk/model/core/eid/person/uuid/${UUID}`, NAMEID_FORMAT.persistent, attrs, { nsis: "Substantial" }))).toBe(
      "nemlogin_not_professional",
    );
    expect(reason(() => readNemLogInIdentity(PROFESSIONAL("not-a-uuid"), NAMEID_FORMAT.persistent, attrs, { nsis: "Substantial" }))).toBe("attribute_invalid");
    expect(reason(() => readNemLogInIdentity(PROFESSIONAL("11111111-2222-4333-8444-555555555555"), NAMEID_FORMAT.persistent, attrs, { nsis: "Substantial" }))).toBe(
      "nemlogin_uuid_conflict",
    );
    const { [OIOSAML3.cvr]: _cvr, ...noCvr } = base;
    expect(reason(() => readNemLogInIdentity(PROFESSIONAL(UUID), NAMEID_FORMAT.persistent, attributes(noCvr), { nsis: "Substantial" }))).toBe("nemlogin_cvr_missing");
    expect(reason(() => readNemLogInIdentity(PROFESSIONAL(UUID), NAMEID_FORMAT.persistent, attrs, { nist: 3 }))).toBe("nemlogin_level_missing");
    expect(reason(() => readNemLogInIdentity(PROFESSIONAL(UUID), NAMEID_FORMAT.persistent, attributes({ ...base, [OIOSAML3.cvr]: "123" }), { nsis: "Low" }))).toBe(
      "attribute_invalid",
    );
  });
});

describe("checkSamePerson", () => {
  const person = (overrides: Partial<Person> = {}): Person => ({
    nameId: "C=DK,O=29189846,CN=Anna,Serial=1",
    nameIdFormat: undefined,
    uuid: UUID,
    rid: "12345",
    cpr: "010170-1234",
    firstName: undefined,
    lastName: undefined,
    fullName: undefined,
    email: undefined,
    ...overrides,
  });
  const nemlogin = (overrides: Partial<NemLogInIdentity> = {}): NemLogInIdentity => ({ uuid: UUID, cvr: "29189846", rid: "12345", cpr: "0101701234", nsis: "Substantial", ...overrides });

  it("binds by each configured key when both sides carry it and it is equal", () => {
    for (const binding of ["uuid", "rid", "cpr"] as const) {
      expect(checkSamePerson(binding, { person: person(), cvr: "29189846" }, nemlogin())).toMatchObject({ ok: true, binding });
    }
  });

  it("refuses another person by the configured key only", () => {
    const other = nemlogin({ uuid: "11111111-2222-4333-8444-555555555555" });
    expect(checkSamePerson("uuid", { person: person(), cvr: "29189846" }, other)).toMatchObject({ ok: false, reason: "step_up_other_person" });
    // The RID still matches: bound by RID, the UUID does not decide.
    expect(checkSamePerson("rid", { person: person(), cvr: "29189846" }, other).ok).toBe(true);
    expect(checkSamePerson("cpr", { person: person(), cvr: "29189846" }, nemlogin({ cpr: "0202801234" }))).toMatchObject({ ok: false, reason: "step_up_other_person" });
    expect(checkSamePerson("rid", { person: person({ rid: " 12345 " }), cvr: "29189846" }, nemlogin({ rid: "123456" }))).toMatchObject({ ok: false, reason: "step_up_other_person" });
  });

  it("refuses another organisation before anything else", () => {
    expect(checkSamePerson("uuid", { person: person(), cvr: "29189846" }, nemlogin({ cvr: "11223344" }))).toMatchObject({ ok: false, reason: "step_up_other_organisation" });
  });

  it("fails closed when either side lacks the key", () => {
    expect(checkSamePerson("uuid", { person: person({ uuid: undefined }), cvr: "29189846" }, nemlogin())).toMatchObject({ ok: false, reason: "step_up_binding_missing" });
    expect(checkSamePerson("cpr", { person: person(), cvr: "29189846" }, nemlogin({ cpr: undefined }))).toMatchObject({ ok: false, reason: "step_up_binding_missing" });
    expect(checkSamePerson("cpr", { person: person({ cpr: undefined }), cvr: "29189846" }, nemlogin({ cpr: undefined }))).toMatchObject({ ok: false, reason: "step_up_binding_missing" });
    expect(checkSamePerson("rid", { person: person({ rid: "  " }), cvr: "29189846" }, nemlogin({ rid: "  " }))).toMatchObject({ ok: false, reason: "step_up_binding_missing" });
    expect(checkSamePerson("cpr", { person: person({ cpr: "-" }), cvr: "29189846" }, nemlogin({ cpr: "-" }))).toMatchObject({ ok: false, reason: "step_up_binding_missing" });
  });
});

describe("the level a step-up asks for", () => {
  it("is the NSIS requirement itself, or the lowest NSIS level proving a NIST requirement", () => {
    expect(stepUpLevelFor({ kind: "nsis", minimum: "High" }, DEFAULT_NIST_FROM_NSIS)).toBe("High");
    expect(stepUpLevelFor({ kind: "nist", minimum: 3 }, DEFAULT_NIST_FROM_NSIS)).toBe("Substantial");
    expect(stepUpLevelFor({ kind: "nist", minimum: 4 }, DEFAULT_NIST_FROM_NSIS)).toBe("High");
    // Under the reference library's table no NSIS level proves NIST 4: no step-up.
    expect(stepUpLevelFor({ kind: "nist", minimum: 4 }, OIOSAML_REFERENCE_NIST_FROM_NSIS)).toBeUndefined();
    expect(stepUpLevelFor({ kind: "none" }, DEFAULT_NIST_FROM_NSIS)).toBeUndefined();
  });
});

describe("what the municipal IdP is asked for when a step-up may follow", () => {
  const idp = (policy: Record<string, unknown>): IdentityProvider => {
    const parsed = identityProviderSchema.parse({ id: "k", displayName: "K", metadata: "x.xml", cvrs: ["29189846"], ...policy });
    return { id: "k", displayName: "K", cvr: "29189846", policy: parsed, metadata: { entityId: "e", signingCertificates: [], singleSignOnServices: [] } as unknown as SamlIdentityProvider["metadata"] };
  };
  const substantial = { kind: "nsis", minimum: "Substantial" } as const;

  it("asks for nothing it cannot deliver when step-up is on and NemLog-in configured", () => {
    expect(municipalRequirement(substantial, idp({ stepUp: true, maxLevel: { nist: 3, nsis: "none" } }), true)).toEqual({ kind: "none" });
    expect(municipalRequirement(substantial, idp({ stepUp: true, maxLevel: { nsis: "Low" } }), true)).toEqual({ kind: "none" });
    expect(municipalRequirement({ kind: "nist", minimum: 4 }, idp({ stepUp: true, maxLevel: { nist: 3 } }), true)).toEqual({ kind: "none" });
  });

  it("asks as before when the IdP can deliver it, or when no step-up can follow", () => {
    expect(municipalRequirement(substantial, idp({ stepUp: true }), true)).toEqual(substantial);
    expect(municipalRequirement(substantial, idp({ stepUp: false, maxLevel: { nsis: "none" } }), true)).toEqual(substantial);
    expect(municipalRequirement(substantial, idp({ stepUp: true, maxLevel: { nsis: "none" } }), false)).toEqual(substantial);
  });
});

describe("legacy attribute names", () => {
  it("reads RID and CPR under their OIOSAML 2 names too", () => {
    const identity = readNemLogInIdentity(
      PROFESSIONAL(UUID),
      NAMEID_FORMAT.persistent,
      attributes({ [OIOSAML3.cvr]: "29189846", [LEGACY.rid]: "777", [LEGACY.cpr]: "0101701234" }),
      { nsis: "Substantial" },
    );
    expect([identity.rid, identity.cpr]).toEqual(["777", "0101701234"]);
  });
});

describe("which step-ups an SSO session may reuse", () => {
  const now = Date.parse("2026-11-23T12:00:00Z");
  const broker = (stepUpMaxAgeSeconds: number | undefined) =>
    ({
      now: () => now,
      config: {
        levels: { nsisForNist: { 1: "Low", 2: "Low", 3: "Substantial", 4: "High" } },
        nemlogin: stepUpMaxAgeSeconds === undefined ? undefined : { stepUpMaxAgeSeconds },
      },
    }) as unknown as BrokerContext;
  const result = (kind: UpstreamResult["kind"], ageSeconds: number, nsis?: "Low" | "Substantial" | "High"): UpstreamResult =>
    samlUpstreamResult({
    kind,
    upstreamId: kind === "nemlogin" ? "nemlogin" : "k",
    issuer: "i",
    nameId: "n",
    nameIdFormat: undefined,
    attributes: [],
    level: nsis ? { nsis } : { nist: 3 },
    authnInstant: new Date(now - ageSeconds * 1000).toISOString(),
    assertionId: `_${kind}`,
  });
  const request = (requiredLevel: LoginRequest["requiredLevel"]) => ({ requiredLevel }) as LoginRequest;
  const kinds = (list: UpstreamResult[]) => list.map((u) => u.kind);

  it("keeps a young step-up that meets the requirement, and always the municipal result", () => {
    const session = [result("municipal-idp", 7000), result("nemlogin", 100, "Substantial")];
    expect(kinds(upstreamsForReuse(broker(3600), request({ kind: "nsis", minimum: "Substantial" }), session))).toEqual(["municipal-idp", "nemlogin"]);
    expect(kinds(upstreamsForReuse(broker(3600), request({ kind: "nist", minimum: 3 }), session))).toEqual(["municipal-idp", "nemlogin"]);
  });

  it("drops a step-up that is too old, too low for this fagsystem, or when reuse is off or NemLog-in gone", () => {
    const session = [result("municipal-idp", 10), result("nemlogin", 100, "Substantial")];
    expect(kinds(upstreamsForReuse(broker(60), request({ kind: "nsis", minimum: "Substantial" }), session))).toEqual(["municipal-idp"]);
    expect(kinds(upstreamsForReuse(broker(3600), request({ kind: "nsis", minimum: "High" }), session))).toEqual(["municipal-idp"]);
    expect(kinds(upstreamsForReuse(broker(0), request({ kind: "none" }), session))).toEqual(["municipal-idp"]);
    expect(kinds(upstreamsForReuse(broker(undefined), request({ kind: "none" }), session))).toEqual(["municipal-idp"]);
  });
});
