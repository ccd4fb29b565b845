import { describe, expect, it } from "vitest";
import {
  ADFS_MULTIPLE_AUTHN_CLASS,
  DEFAULT_NIST_FROM_NSIS,
  KOMBIT_NSIS_FOR_NIST,
  OIOSAML_REFERENCE_NIST_FROM_NSIS,
  OIOSAML_REFERENCE_NSIS_FOR_NIST,
  capLevel,
  isMonotoneNsisForNist,
  nistFromNsisTable,
  requestedRequirement,
  satisfies,
  stricterRequirement,
  type LevelRequirement,
  type ReachedLevel,
} from "../../src/profiles/levels.js";
import { IDP_OIOSAML_PROFILES, requestedClassRefsFor, type IdpOiosamlProfile } from "../../src/profiles/idp-profiles.js";
import { provedLevel, readDeliveredLevel } from "../../src/profiles/delivered-level.js";
import { releaseFor } from "../../src/profiles/release-profiles.js";
import type { Identity } from "../../src/model/identity.js";
import type { RawAttribute } from "../../src/model/upstream-result.js";
import { BPP_NAMESPACES } from "../../src/profiles/bpp.js";
import { LEGACY, OIOSAML3 } from "../../src/profiles/oiosaml3-attributes.js";

const REQUIREMENTS: Array<[string, LevelRequirement]> = [
  ["none", { kind: "none" }],
  ["NIST 1", { kind: "nist", minimum: 1 }],
  ["NIST 2", { kind: "nist", minimum: 2 }],
  ["NIST 3", { kind: "nist", minimum: 3 }],
  ["NIST 4", { kind: "nist", minimum: 4 }],
  ["NSIS Low", { kind: "nsis", minimum: "Low" }],
  ["NSIS Substantial", { kind: "nsis", minimum: "Substantial" }],
  ["NSIS High", { kind: "nsis", minimum: "High" }],
];

// Rows: what the IdP delivered. Columns: the requirements above, in order. KOMBIT's conversion (the default).
const KOMBIT_MATRIX: Array<[string, ReachedLevel, string]> = [
  ["nothing", {}, "T F F F F F F F"],
  ["NIST 1", { nist: 1 }, "T T F F F F F F"],
  ["NIST 2", { nist: 2 }, "T T T F F F F F"],
  ["NIST 3", { nist: 3 }, "T T T T F F F F"],
  ["NIST 4", { nist: 4 }, "T T T T T F F F"],
  ["NSIS Low", { nsis: "Low" }, "T T T F F T F F"],
  ["NSIS Substantial", { nsis: "Substantial" }, "T T T T F T T F"],
  ["NSIS High", { nsis: "High" }, "T T T T T T T T"],
  ["NSIS Low with NIST 4", { nsis: "Low", nist: 4 }, "T T T T T T F F"],
];
// The OIOSAML reference library's table differs in one place: NSIS High proves only NIST 3.
const REFERENCE_DIFFERENCES = new Map([["NSIS High", "T T T T F T T T"]]);

/** The delivered level as the IdP would send it: as AuthnContextClassRef, as attributes, or both. */
function representations(level: ReachedLevel): Array<[string, RawAttribute[], string | undefined]> {
  const attributes: RawAttribute[] = [];
  if (level.nsis) attributes.push({ name: OIOSAML3.loa, values: [level.nsis] });
  if (level.nist) attributes.push({ name: LEGACY.assuranceLevel, values: [String(level.nist)] });
  const classRef = level.nsis ? `https://data.gov.dk/concept/core/nsis/loa/${level.nsis}` : level.nist ? `urn:dk:gov:saml:attribute:AssuranceLevel:${level.nist}` : undefined;
  const out: Array<[string, RawAttribute[], string | undefined]> = [["attributes", attributes, "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"]];
  if (!(level.nsis && level.nist)) out.push(["class reference", [], classRef]);
  out.push(["both", attributes, classRef]);
  return out;
}

describe("the level matrix: every requirement × every delivered level, in every representation", () => {
  for (const [deliveredName, delivered, row] of KOMBIT_MATRIX) {
    for (const [representation, attributes, classRef] of representations(delivered)) {
      it(`${deliveredName} as ${representation}`, () => {
        const read = readDeliveredLevel(attributes, classRef, "OIOSAML3");
        expect(read).toEqual(delivered);
        const expected = row.split(" ").map((c) => c === "T");
        expect(REQUIREMENTS.map(([, requirement]) => satisfies(read, requirement))).toEqual(expected);
        const reference = (REFERENCE_DIFFERENCES.get(deliveredName) ?? row).split(" ").map((c) => c === "T");
        expect(REQUIREMENTS.map(([, requirement]) => satisfies(read, requirement, OIOSAML_REFERENCE_NIST_FROM_NSIS))).toEqual(reference);
      });
    }
  }

  it("never lets a NIST level prove an NSIS requirement, however high", () => {
    for (const nist of [1, 2, 3, 4] as const) {
      for (const minimum of ["Low", "Substantial", "High"] as const) expect(satisfies({ nist }, { kind: "nsis", minimum })).toBe(false);
    }
  });
});

describe("the conversion table", () => {
  it("KOMBIT's default reads: NIST 1 and 2 by Low, 3 by Substantial, 4 by High", () => {
    expect(KOMBIT_NSIS_FOR_NIST).toEqual({ 1: "Low", 2: "Low", 3: "Substantial", 4: "High" });
    expect(nistFromNsisTable(KOMBIT_NSIS_FOR_NIST)).toEqual(DEFAULT_NIST_FROM_NSIS);
  });

  it("turns a configured table into what each NSIS level proves", () => {
    expect(nistFromNsisTable({ 1: "Low", 2: "Substantial", 3: "Substantial", 4: "High" })).toEqual({ Low: 1, Substantial: 3, High: 4 });
    expect(nistFromNsisTable({ 1: "Substantial", 2: "Substantial", 3: "High", 4: "High" })).toEqual({ Low: undefined, Substantial: 2, High: 4 });
    const strict = nistFromNsisTable({ 1: "Substantial", 2: "Substantial", 3: "High", 4: "High" });
    expect(satisfies({ nsis: "Low" }, { kind: "nist", minimum: 1 }, strict)).toBe(false);
    expect(satisfies({ nsis: "Substantial" }, { kind: "nist", minimum: 3 }, strict)).toBe(false);
  });

  it("writes the OIOSAML reference library's table with never: no NSIS level meets NIST 4", () => {
    expect(nistFromNsisTable(OIOSAML_REFERENCE_NSIS_FOR_NIST)).toEqual(OIOSAML_REFERENCE_NIST_FROM_NSIS);
    expect(nistFromNsisTable({ 1: "Low", 2: "never", 3: "never", 4: "never" })).toEqual({ Low: 1, Substantial: 1, High: 1 });
    expect(isMonotoneNsisForNist(OIOSAML_REFERENCE_NSIS_FOR_NIST)).toBe(true);
    expect(isMonotoneNsisForNist({ 1: "Low", 2: "never", 3: "High", 4: "High" })).toBe(false);
  });

  it("refuses a table that decreases as the NIST level rises", () => {
    expect(isMonotoneNsisForNist(KOMBIT_NSIS_FOR_NIST)).toBe(true);
    expect(isMonotoneNsisForNist({ 1: "Low", 2: "High", 3: "Substantial", 4: "High" })).toBe(false);
  });
});

describe("the effective requirement: the stricter of the fagsystem's configuration and its request", () => {
  const cases: Array<[LevelRequirement, LevelRequirement, LevelRequirement | undefined]> = [
    [{ kind: "none" }, { kind: "nist", minimum: 2 }, { kind: "nist", minimum: 2 }],
    [{ kind: "nist", minimum: 3 }, { kind: "none" }, { kind: "nist", minimum: 3 }],
    [{ kind: "nist", minimum: 3 }, { kind: "nist", minimum: 2 }, { kind: "nist", minimum: 3 }],
    [{ kind: "nist", minimum: 2 }, { kind: "nist", minimum: 4 }, { kind: "nist", minimum: 4 }],
    [{ kind: "nsis", minimum: "Substantial" }, { kind: "nsis", minimum: "Low" }, { kind: "nsis", minimum: "Substantial" }],
    [{ kind: "nsis", minimum: "Low" }, { kind: "nsis", minimum: "High" }, { kind: "nsis", minimum: "High" }],
    // NIST with NSIS: only an NSIS login can satisfy both, at the level that also proves the NIST one.
    [{ kind: "nist", minimum: 3 }, { kind: "nsis", minimum: "Low" }, { kind: "nsis", minimum: "Substantial" }],
    [{ kind: "nist", minimum: 2 }, { kind: "nsis", minimum: "Substantial" }, { kind: "nsis", minimum: "Substantial" }],
    [{ kind: "nsis", minimum: "Low" }, { kind: "nist", minimum: 4 }, { kind: "nsis", minimum: "High" }],
  ];
  it.each(cases)("%j and %j → %j", (a, b, expected) => {
    expect(stricterRequirement(a, b)).toEqual(expected);
    expect(stricterRequirement(b, a)).toEqual(expected);
  });

  it("has no answer when no NSIS level proves the NIST level (with the reference table, NIST 4 and any NSIS)", () => {
    expect(stricterRequirement({ kind: "nist", minimum: 4 }, { kind: "nsis", minimum: "Low" }, OIOSAML_REFERENCE_NIST_FROM_NSIS)).toBeUndefined();
  });

  it("reads RequestedAuthnContext by its Comparison", () => {
    const nsis = (w: string) => `https://data.gov.dk/concept/core/nsis/loa/${w}`;
    const nist = (n: number) => `urn:dk:gov:saml:attribute:AssuranceLevel:${n}`;
    expect(requestedRequirement([nsis("Substantial")], "minimum")).toEqual({ ok: true, requirement: { kind: "nsis", minimum: "Substantial" } });
    expect(requestedRequirement([nsis("Substantial")], "exact")).toEqual({ ok: true, requirement: { kind: "nsis", minimum: "Substantial" } });
    expect(requestedRequirement([nsis("Substantial")], "better")).toEqual({ ok: true, requirement: { kind: "nsis", minimum: "High" } });
    expect(requestedRequirement([nsis("High")], "better")).toMatchObject({ ok: false });
    expect(requestedRequirement([nist(4)], "better")).toMatchObject({ ok: false });
    expect(requestedRequirement([nist(2)], "better")).toEqual({ ok: true, requirement: { kind: "nist", minimum: 3 } });
    expect(requestedRequirement([nsis("High")], "maximum")).toEqual({ ok: true, requirement: { kind: "none" } });
    expect(requestedRequirement([nist(3), nist(2)], "minimum")).toEqual({ ok: true, requirement: { kind: "nist", minimum: 2 } });
    expect(requestedRequirement([nsis("High"), nsis("Low")], "minimum")).toEqual({ ok: true, requirement: { kind: "nsis", minimum: "Low" } });
    expect(requestedRequirement(["urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"], "minimum")).toEqual({ ok: true, requirement: { kind: "none" } });
    expect(requestedRequirement([], "exact")).toEqual({ ok: true, requirement: { kind: "none" } });
    expect(requestedRequirement([nsis("Low")], "sideways")).toMatchObject({ ok: false });
  });
});

describe("toward the IdP: how each OIOSAML profile is asked for each requirement", () => {
  const NSIS = (w: string) => `https://data.gov.dk/concept/core/nsis/loa/${w}`;
  const NIST = (n: number) => `urn:dk:gov:saml:attribute:AssuranceLevel:${n}`;
  const MFA = ADFS_MULTIPLE_AUTHN_CLASS;
  // Columns: none, NIST 1, NIST 2, NIST 3, NIST 4, NSIS Low, NSIS Substantial, NSIS High.
  const table: Record<IdpOiosamlProfile, Array<string | undefined>> = {
    OIOSAML3: [undefined, NIST(1), NIST(2), NIST(3), NIST(4), NSIS("Low"), NSIS("Substantial"), NSIS("High")],
    OIOSAML2: [undefined, NIST(1), NIST(2), NIST(3), NIST(4), undefined, undefined, undefined],
    OIOSAML3_ADFS_MULTIPLEAUTHN: [undefined, undefined, undefined, MFA, MFA, undefined, MFA, MFA],
    OIOSAML3_ADFS_RELAY_STATE: [undefined, undefined, undefined, MFA, MFA, undefined, MFA, MFA],
    OIOSAML2_ADFS_MULTIPLEAUTHN: [undefined, undefined, undefined, MFA, MFA, undefined, MFA, MFA],
    OIOSAML2_WITHOUT_REQUESTED_LOA: [undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined],
  };
  it("covers all six profiles", () => expect(Object.keys(table).sort()).toEqual([...IDP_OIOSAML_PROFILES].sort()));
  for (const profile of IDP_OIOSAML_PROFILES) {
    it.each(REQUIREMENTS.map(([name, requirement], i) => [name, requirement, table[profile][i]] as const))(`${profile}: %s`, (_name, requirement, expected) => {
      expect(requestedClassRefsFor(requirement, profile)).toEqual(expected === undefined ? [] : [expected]);
    });
  }
});

describe("reading the level an IdP delivered, per its profile", () => {
  it("takes AD FS's multipleauthn as multi-factor (NIST 3) for the AD FS profiles only", () => {
    expect(readDeliveredLevel([], MFA_CLASS(), "OIOSAML3_ADFS_MULTIPLEAUTHN")).toEqual({ nist: 3 });
    expect(readDeliveredLevel([], MFA_CLASS(), "OIOSAML2_ADFS_MULTIPLEAUTHN")).toEqual({ nist: 3 });
    expect(readDeliveredLevel([], MFA_CLASS(), "OIOSAML3")).toEqual({});
    expect(readDeliveredLevel([{ name: LEGACY.assuranceLevel, values: ["2"] }], MFA_CLASS(), "OIOSAML3_ADFS_MULTIPLEAUTHN")).toEqual({ nist: 2 });
  });

  it("caps what an IdP asserts to its registration, and counts no NSIS level from an OIOSAML 2 IdP", () => {
    expect(provedLevel({ nsis: "High", nist: 4 }, { oiosamlProfile: "OIOSAML3", maxLevel: { nist: 3, nsis: "Substantial" } })).toEqual({ level: { nsis: "Substantial", nist: 3 }, capped: true });
    expect(provedLevel({ nsis: "Low" }, { oiosamlProfile: "OIOSAML3", maxLevel: { nist: 4, nsis: "High" } })).toEqual({ level: { nsis: "Low" }, capped: false });
    expect(provedLevel({ nsis: "High", nist: 3 }, { oiosamlProfile: "OIOSAML2", maxLevel: { nist: 4, nsis: "High" } })).toEqual({ level: { nist: 3 }, capped: true });
    expect(provedLevel({ nsis: "Substantial" }, { oiosamlProfile: "OIOSAML3", maxLevel: { nist: 4, nsis: "none" } })).toEqual({ level: {}, capped: true });
    expect(capLevel({}, { nist: 1, nsis: undefined })).toEqual({ level: {}, capped: false });
  });
});

function MFA_CLASS(): string {
  return ADFS_MULTIPLE_AUTHN_CLASS;
}

describe("downstream, the level asserted is never above what was proved", () => {
  const identity = (level: ReachedLevel): Identity => ({
    subject: "person",
    person: { nameId: "n", nameIdFormat: undefined, uuid: undefined, rid: undefined, cpr: undefined, firstName: undefined, lastName: undefined, fullName: undefined, email: undefined },
    organisation: { cvr: "29189846", name: "Kommune" },
    level,
    privileges: { stage: "translated", source: "idp", list: { namespace: BPP_NAMESPACES.digst, groups: [] }, outcomes: [] },
    authnInstant: "2025-01-01T00:00:00Z",
    authenticatingAuthorities: [],
    evidence: [],
  });
  for (const [deliveredName, delivered] of KOMBIT_MATRIX) {
    for (const [requirementName, requirement] of REQUIREMENTS) {
      for (const [tableName, table] of [["KOMBIT", DEFAULT_NIST_FROM_NSIS], ["reference", OIOSAML_REFERENCE_NIST_FROM_NSIS]] as const) {
        if (!satisfies(delivered, requirement, table)) continue;
        it(`${deliveredName} to a fagsystem requiring ${requirementName} (${tableName} table)`, () => {
          const release = releaseFor(identity(delivered), { attributeProfile: "KOMBIT", oiosamlProfile: "OIOSAML3", requiredLevel: requirement, levelTable: table });
          const byName = new Map(release.attributes.map((a) => [a.name, a.values[0]]));
          const loa = byName.get(OIOSAML3.loa);
          if (loa !== undefined) expect(loa).toBe(delivered.nsis);
          const nist = byName.get(LEGACY.assuranceLevel);
          if (nist !== undefined) {
            expect(satisfies(delivered, { kind: "nist", minimum: Number(nist) as 1 | 2 | 3 | 4 }, table)).toBe(true);
            if (Number(nist) < 4) expect(satisfies(delivered, { kind: "nist", minimum: (Number(nist) + 1) as 2 | 3 | 4 }, table)).toBe(false);
          }
          const asserted = readDeliveredLevel([], release.authnContextClassRef, "OIOSAML3");
          if (asserted.nsis) expect(asserted.nsis).toBe(delivered.nsis);
          if (asserted.nist) expect(satisfies(delivered, { kind: "nist", minimum: asserted.nist }, table)).toBe(true);
          if (requirement.kind === "nist") expect(loa).toBeUndefined();
          if (requirement.kind === "nsis") expect(nist).toBeUndefined();
        });
      }
    }
  }
});
