/** The SEB profile's pure parts: the CPR as SEB receives it, the user id, and what a release refuses. */
import { describe, expect, it } from "vitest";
import { normaliseCprNumber, sebRelease, sebUserId, SebReleaseError, SEB_ATTRIBUTES } from "../../src/profiles/seb-profile.js";
import { DEFAULT_NIST_FROM_NSIS } from "../../src/profiles/levels.js";
import { BPP_NAMESPACES } from "../../src/profiles/bpp.js";
import { profileCarriesCpr, releaseFor } from "../../src/profiles/release-profiles.js";
import type { Person, ReleasableIdentity } from "../../src/profiles/person.js";

const person: Person = {
  nameId: "C=DK,O=29189846,CN=Anna Andersen,Serial=CVR:29189846-RID:42",
  nameIdFormat: undefined,
  uuid: undefined,
  rid: undefined,
  cpr: "0102031234",
  firstName: "Anna",
  lastName: "Andersen",
  fullName: undefined,
  email: "anna@kommune.test",
};

function identity(overrides: Partial<Person> = {}, level: ReleasableIdentity["level"] = { nsis: "Substantial" }): ReleasableIdentity {
  return {
    person: { ...person, ...overrides },
    organisation: { cvr: "29189846", name: "Test Kommune" },
    level,
    privileges: { stage: "translated", list: { namespace: BPP_NAMESPACES.digst, groups: [] } },
  };
}

const options = { requiredLevel: { kind: "nsis" as const, minimum: "Substantial" as const }, levelTable: DEFAULT_NIST_FROM_NSIS, privileges: { namespace: BPP_NAMESPACES.digst, groups: [] } };

describe("the SEB profile", () => {
  it("takes a CPR as ten digits, with or without the hyphen, and nothing else", () => {
    expect(normaliseCprNumber("0102031234")).toBe("0102031234");
    expect(normaliseCprNumber(" 010203-1234 ")).toBe("0102031234");
    for (const bad of ["01020312", "0102031234x", "01-02-03-1234", "", "abcdefghij"]) expect(normaliseCprNumber(bad)).toBeUndefined();
    expect(normaliseCprNumber(undefined)).toBeUndefined();
  });

  it("names the user by the professional UUID, else the RID, else the NameID's Serial, else the NameID", () => {
    expect(sebUserId({ ...person, uuid: "8c1d7e5e-3f0a-4b8e-9c51-0d2a7e4b6f11", rid: "42" })).toBe("8c1d7e5e-3f0a-4b8e-9c51-0d2a7e4b6f11");
    expect(sebUserId({ ...person, rid: "CVR:29189846-RID:42" })).toBe("CVR:29189846-RID:42");
    expect(sebUserId(person)).toBe("CVR:29189846-RID:42");
    expect(sebUserId({ ...person, nameId: "opaque-id" })).toBe("opaque-id");
  });

  it("builds the common name from first and last name when no full name was sent", () => {
    const release = sebRelease(identity(), options);
    expect(release.attributes.find((a) => a.name === SEB_ATTRIBUTES.commonName)?.values).toEqual(["Anna Andersen"]);
    expect(release.attributes.some((a) => a.name === SEB_ATTRIBUTES.rid)).toBe(false);
  });

  it("refuses a release without a CPR, with a malformed one, or with no level SEB can read", () => {
    expect(() => sebRelease(identity({ cpr: undefined }), options)).toThrow(SebReleaseError);
    expect(() => sebRelease(identity({ cpr: "123" }), options)).toThrow(/ten digits/);
    expect(() => sebRelease(identity({}, {}), options)).toThrow(/no level/);
  });

  it("only the SEB profile carries the CPR", () => {
    expect(profileCarriesCpr("SEB")).toBe(true);
    expect(profileCarriesCpr("KOMBIT")).toBe(false);
    expect(profileCarriesCpr("KOMBIT_WITHOUT_PERSONAL_DATA")).toBe(false);
    for (const attributeProfile of ["KOMBIT", "KOMBIT_WITHOUT_PERSONAL_DATA"] as const) {
      for (const oiosamlProfile of ["OIOSAML3", "OIOSAML2"] as const) {
        const release = releaseFor(identity({}, { nsis: "Substantial", nist: 3 }), { attributeProfile, oiosamlProfile, requiredLevel: { kind: "nist", minimum: 3 }, levelTable: DEFAULT_NIST_FROM_NSIS });
        expect(JSON.stringify(release)).not.toContain("0102031234");
      }
    }
  });
});
