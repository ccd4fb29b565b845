import { describe, expect, it } from "vitest";
import { oiosaml3Attributes, ProfileError, readCvr, readLevel, readPerson } from "../../src/profiles/oiosaml3-profile.js";
import { LEGACY, OIOSAML3 } from "../../src/profiles/oiosaml3-attributes.js";
import { ATTRNAME_FORMAT_BASIC, ATTRNAME_FORMAT_URI } from "../../src/saml/namespaces.js";
import type { Identity } from "../../src/model/identity.js";
import type { RawAttribute } from "../../src/model/upstream-result.js";
import { BPP_NAMESPACES, type PrivilegeList } from "../../src/profiles/bpp.js";
import { encodePrivilegesAttribute } from "../../src/profiles/bpp-codec.js";
import { LEVEL_CLASS } from "../support/uris.js";

const UUID = "8c1d7e5e-3f0a-4b8e-9c51-0d2a7e4b6f11";

function attributes(entries: Record<string, string | string[]>): RawAttribute[] {
  return Object.entries(entries).map(([name, values]) => ({ name, values: Array.isArray(values) ? values : [values] }));
}

function profileError(run: () => unknown): ProfileError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProfileError);
    return error as ProfileError;
  }
  throw new Error("expected a ProfileError, but nothing was thrown");
}

describe("readPerson", () => {
  it("reads the OIOSAML 3 person attributes", () => {
    const person = readPerson("C=DK,O=29189846,CN=Hanne", "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName", attributes({
      [OIOSAML3.uuidPersistent]: UUID,
      [OIOSAML3.rid]: "12345678",
      [OIOSAML3.cprNumber]: "0101701234",
      [OIOSAML3.firstName]: "Hanne",
      [OIOSAML3.lastName]: "Hansen",
      [OIOSAML3.fullName]: "Hanne Hansen",
      [OIOSAML3.email]: "hanne@kommune.dk",
    }));
    expect(person).toEqual({
      nameId: "C=DK,O=29189846,CN=Hanne",
      nameIdFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName",
      uuid: UUID,
      rid: "12345678",
      cpr: "0101701234",
      firstName: "Hanne",
      lastName: "Hansen",
      fullName: "Hanne Hansen",
      email: "hanne@kommune.dk",
    });
  });

  it("normalises the UUID: drops urn:uuid: and lower-cases", () => {
    expect(readPerson("n", undefined, attributes({ [OIOSAML3.uuidPersistent]: `urn:uuid:${UUID}` })).uuid).toBe(UUID);
    expect(readPerson("n", undefined, attributes({ [OIOSAML3.uuidPersistent]: UUID.toUpperCase() })).uuid).toBe(UUID);
    expect(readPerson("n", undefined, attributes({ [OIOSAML3.uuidPersistent]: `URN:UUID:${UUID.toUpperCase()}` })).uuid).toBe(UUID);
  });

  it("rejects a UUID that is not a UUID", () => {
    for (const bad of ["not-a-uuid", `${UUID}0`, UUID.replace(/-/g, ""), `urn:uuid:${UUID.slice(0, 35)}x`, `{${UUID}}`]) {
      const error = profileError(() => readPerson("n", undefined, attributes({ [OIOSAML3.uuidPersistent]: bad })));
      expect(error.reason).toBe("attribute_invalid");
    }
  });

  it("falls back to the legacy names for RID and CPR", () => {
    const person = readPerson("n", undefined, attributes({ [LEGACY.rid]: "777", [LEGACY.cpr]: "0202702345" }));
    expect(person.rid).toBe("777");
    expect(person.cpr).toBe("0202702345");
    expect(person.uuid).toBeUndefined();
  });

  it("rejects an attribute with two different values, but accepts repeats of one value", () => {
    expect(profileError(() => readPerson("n", undefined, attributes({ [OIOSAML3.email]: ["a@kommune.dk", "b@evil.dk"] }))).reason).toBe("attribute_ambiguous");
    expect(readPerson("n", undefined, attributes({ [OIOSAML3.email]: ["a@kommune.dk", "a@kommune.dk"] })).email).toBe("a@kommune.dk");
  });
});

describe("readCvr", () => {
  it("reads an 8-digit CVR from the OIOSAML 3 or the legacy attribute", () => {
    expect(readCvr(attributes({ [OIOSAML3.cvr]: "29189846" }))).toBe("29189846");
    expect(readCvr(attributes({ [LEGACY.cvr]: " 29189846 " }))).toBe("29189846");
    expect(readCvr([])).toBeUndefined();
  });

  it("rejects anything but 8 digits", () => {
    for (const bad of ["2918984", "291898460", "2918984a", "29 189 846", "DK29189846", "２９１８９８４６"]) {
      expect(profileError(() => readCvr(attributes({ [OIOSAML3.cvr]: bad }))).reason).toBe("attribute_invalid");
    }
  });
});

describe("readLevel", () => {
  it("reads NSIS from the loa attribute", () => {
    expect(readLevel(attributes({ [OIOSAML3.loa]: "High" }), undefined)).toEqual({ nsis: "High" });
  });

  it("reads NIST from the legacy AssuranceLevel attribute", () => {
    expect(readLevel(attributes({ [LEGACY.assuranceLevel]: "3" }), undefined)).toEqual({ nist: 3 });
  });

  it("reads the level from the AuthnContextClassRef when no attribute says it", () => {
    expect(readLevel([], LEVEL_CLASS.nsis("Substantial"))).toEqual({ nsis: "Substantial" });
    expect(readLevel([], "urn:dk:gov:saml:attribute:AssuranceLevel:2")).toEqual({ nist: 2 });
    expect(readLevel([], "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified")).toEqual({});
    expect(readLevel([], undefined)).toEqual({});
  });

  it("combines an NSIS and a NIST level", () => {
    expect(readLevel(attributes({ [OIOSAML3.loa]: "Substantial", [LEGACY.assuranceLevel]: "3" }), LEVEL_CLASS.nsis("Substantial"))).toEqual({ nsis: "Substantial", nist: 3 });
  });

  it("accepts a loa attribute that agrees with the class ref", () => {
    expect(readLevel(attributes({ [OIOSAML3.loa]: "Substantial" }), LEVEL_CLASS.nsis("Substantial"))).toEqual({ nsis: "Substantial" });
  });

  it("rejects a loa attribute that disagrees with the class ref", () => {
    expect(profileError(() => readLevel(attributes({ [OIOSAML3.loa]: "High" }), LEVEL_CLASS.nsis("Substantial"))).reason).toBe("level_conflict");
  });

  it("rejects an AssuranceLevel attribute that disagrees with the class ref", () => {
    const error = profileError(() => readLevel(attributes({ [LEGACY.assuranceLevel]: "4" }), "urn:dk:gov:saml:attribute:AssuranceLevel:2"));
    expect(error.reason).toBe("level_conflict");
    expect(readLevel(attributes({ [LEGACY.assuranceLevel]: "2" }), "urn:dk:gov:saml:attribute:AssuranceLevel:2")).toEqual({ nist: 2 });
  });

  it("rejects two different loa values", () => {
    expect(profileError(() => readLevel(attributes({ [OIOSAML3.loa]: ["Low", "High"] }), undefined)).reason).toBe("attribute_ambiguous");
  });

  it("rejects invalid values rather than ignoring them", () => {
    expect(profileError(() => readLevel(attributes({ [OIOSAML3.loa]: "substantial" }), undefined)).reason).toBe("attribute_invalid");
    expect(profileError(() => readLevel(attributes({ [OIOSAML3.loa]: "Medium" }), LEVEL_CLASS.nsis("Substantial"))).reason).toBe("attribute_invalid");
    expect(profileError(() => readLevel(attributes({ [LEGACY.assuranceLevel]: "5" }), undefined)).reason).toBe("attribute_invalid");
    expect(profileError(() => readLevel(attributes({ [LEGACY.assuranceLevel]: "three" }), undefined)).reason).toBe("attribute_invalid");
  });
});

describe("oiosaml3Attributes", () => {
  const released: PrivilegeList = {
    namespace: BPP_NAMESPACES.digst,
    groups: [{ scope: { kind: "cvr", cvr: "29189846" }, privileges: ["http://fagsystem.dk/roles/usersystemrole/laes/1"], constraints: [] }],
  };
  const identity: Identity = {
    subject: "person",
    person: {
      nameId: "n",
      nameIdFormat: undefined,
      uuid: UUID,
      rid: "12345678",
      cpr: "0101701234",
      firstName: "Hanne",
      lastName: "Hansen",
      fullName: "Hanne Hansen",
      email: "hanne@kommune.dk",
    },
    organisation: { cvr: "29189846", name: "Demo Kommune" },
    level: { nsis: "Substantial" },
    privileges: { stage: "translated", source: "test-idp", list: released, outcomes: [] },
    authnInstant: "2025-01-01T00:00:00Z",
    authenticatingAuthorities: [],
    evidence: [],
  };

  const byName = (list: ReturnType<typeof oiosaml3Attributes>) => new Map(list.map((a) => [a.name, a]));

  it("releases the profile attributes, the organisation, the level and the privileges", () => {
    const out = byName(oiosaml3Attributes(identity, { withPersonalData: true }));
    expect(out.get(OIOSAML3.specVersion)?.values).toEqual(["OIO-SAML-3.0"]);
    expect(out.get(OIOSAML3.kombitSpecVer)?.values).toEqual(["2.0"]);
    expect(out.get(OIOSAML3.loa)?.values).toEqual(["Substantial"]);
    expect(out.get(LEGACY.assuranceLevel)?.values).toEqual(["3"]);
    expect(out.get(OIOSAML3.cvr)?.values).toEqual(["29189846"]);
    expect(out.get(OIOSAML3.orgName)?.values).toEqual(["Demo Kommune"]);
    expect(out.get(OIOSAML3.uuidPersistent)?.values).toEqual([UUID]);
    expect(out.get(OIOSAML3.rid)?.values).toEqual(["12345678"]);
    expect(out.get(OIOSAML3.email)?.values).toEqual(["hanne@kommune.dk"]);
    expect(out.get(OIOSAML3.firstName)?.values).toEqual(["Hanne"]);
    expect(out.get(OIOSAML3.lastName)?.values).toEqual(["Hansen"]);
    expect(out.get(OIOSAML3.fullName)?.values).toEqual(["Hanne Hansen"]);
    expect(out.get(OIOSAML3.privilegesIntermediate)?.values).toEqual([encodePrivilegesAttribute(released)]);
  });

  it("never releases the CPR number", () => {
    const names = oiosaml3Attributes(identity, { withPersonalData: true }).map((a) => a.name);
    expect(names).not.toContain(OIOSAML3.cprNumber);
    expect(names).not.toContain(LEGACY.cpr);
  });

  it("omits name and e-mail when personal data is not released", () => {
    const names = oiosaml3Attributes(identity, { withPersonalData: false }).map((a) => a.name);
    for (const personal of [OIOSAML3.email, OIOSAML3.firstName, OIOSAML3.lastName, OIOSAML3.fullName]) expect(names).not.toContain(personal);
    expect(names).toContain(OIOSAML3.uuidPersistent);
    expect(names).toContain(OIOSAML3.cvr);
    expect(names).toContain(OIOSAML3.privilegesIntermediate);
  });

  it("sends KombitSpecVer and AssuranceLevel under their legacy names with the basic name format, the rest as URIs", () => {
    const out = oiosaml3Attributes(identity, { withPersonalData: true });
    const legacy = out.filter((a) => a.nameFormat === ATTRNAME_FORMAT_BASIC).map((a) => a.name);
    expect(legacy.sort()).toEqual([LEGACY.assuranceLevel, "dk:gov:saml:attribute:KombitSpecVer"].sort());
    expect(byName(out).get("dk:gov:saml:attribute:KombitSpecVer")?.values).toEqual(["2.0"]);
    for (const attribute of out.filter((a) => !legacy.includes(a.name))) expect(attribute.nameFormat).toBe(ATTRNAME_FORMAT_URI);
  });

  it("leaves out what the identity does not have", () => {
    const bare: Identity = {
      ...identity,
      person: { ...identity.person, uuid: undefined, rid: undefined, email: "", firstName: undefined },
      level: { nist: 2 },
      privileges: { stage: "not-read" },
    };
    const out = byName(oiosaml3Attributes(bare, { withPersonalData: true }));
    expect(out.has(OIOSAML3.uuidPersistent)).toBe(false);
    expect(out.has(OIOSAML3.rid)).toBe(false);
    expect(out.has(OIOSAML3.email)).toBe(false);
    expect(out.has(OIOSAML3.firstName)).toBe(false);
    expect(out.has(OIOSAML3.privilegesIntermediate)).toBe(false);
    expect(out.has(OIOSAML3.loa)).toBe(false);
    expect(out.get(LEGACY.assuranceLevel)?.values).toEqual(["2"]);
    expect(out.get(OIOSAML3.lastName)?.values).toEqual(["Hansen"]);
  });
});
