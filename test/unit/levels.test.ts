import { describe, expect, it } from "vitest";
import {
  DEFAULT_NIST_FROM_NSIS,
  effectiveNist,
  isNsisLevel,
  levelFromClassRef,
  nistClassRef,
  nsisClassRef,
  nsisRank,
  OIOSAML_REFERENCE_NIST_FROM_NSIS,
  parseNistLevel,
  satisfies,
  type NistFromNsisTable,
} from "../../src/profiles/levels.js";

describe("NSIS ranking", () => {
  it("orders Low < Substantial < High", () => {
    expect(nsisRank("Low")).toBe(0);
    expect(nsisRank("Substantial")).toBe(1);
    expect(nsisRank("High")).toBe(2);
  });

  it("recognises only the three NSIS words, case-sensitively", () => {
    expect(isNsisLevel("Substantial")).toBe(true);
    expect(isNsisLevel("substantial")).toBe(false);
    expect(isNsisLevel("Medium")).toBe(false);
    expect(isNsisLevel("")).toBe(false);
  });
});

describe("NIST levels from NSIS", () => {
  it("uses KOMBIT's conversion by default (NIST 1-2 by Low, 3 by Substantial, 4 by High): Low → 2, Substantial → 3, High → 4", () => {
    expect(DEFAULT_NIST_FROM_NSIS).toEqual({ Low: 2, Substantial: 3, High: 4 });
    expect(effectiveNist({ nsis: "Low" })).toBe(2);
    expect(effectiveNist({ nsis: "Substantial" })).toBe(3);
    expect(effectiveNist({ nsis: "High" })).toBe(4);
  });

  it("keeps the OIOSAML reference library's table at hand: Low → 2, Substantial → 3, High → 3", () => {
    expect(OIOSAML_REFERENCE_NIST_FROM_NSIS).toEqual({ Low: 2, Substantial: 3, High: 3 });
    expect(effectiveNist({ nsis: "High" }, OIOSAML_REFERENCE_NIST_FROM_NSIS)).toBe(3);
  });

  it("takes the higher of a delivered NIST level and the mapped one", () => {
    expect(effectiveNist({ nsis: "Low", nist: 4 })).toBe(4);
    expect(effectiveNist({ nsis: "High", nist: 1 })).toBe(4);
    expect(effectiveNist({ nsis: "Substantial", nist: 1 })).toBe(3);
    expect(effectiveNist({ nist: 2 })).toBe(2);
    expect(effectiveNist({})).toBeUndefined();
  });

  it("follows a configured table", () => {
    const table: NistFromNsisTable = { Low: 1, Substantial: 2, High: 4 };
    expect(effectiveNist({ nsis: "High" }, table)).toBe(4);
    expect(effectiveNist({ nsis: "Substantial" }, table)).toBe(2);
  });

  it("parses only the digits 1 to 4", () => {
    expect(parseNistLevel("3")).toBe(3);
    expect(parseNistLevel(" 2 ")).toBe(2);
    expect(parseNistLevel("0")).toBeUndefined();
    expect(parseNistLevel("5")).toBeUndefined();
    expect(parseNistLevel("3.0")).toBeUndefined();
    expect(parseNistLevel("")).toBeUndefined();
  });
});

describe("satisfies", () => {
  it("accepts anything, even nothing, when no level is required", () => {
    expect(satisfies({}, { kind: "none" })).toBe(true);
    expect(satisfies({ nist: 1 }, { kind: "none" })).toBe(true);
  });

  it("compares NSIS levels by rank", () => {
    expect(satisfies({ nsis: "Substantial" }, { kind: "nsis", minimum: "Substantial" })).toBe(true);
    expect(satisfies({ nsis: "High" }, { kind: "nsis", minimum: "Substantial" })).toBe(true);
    expect(satisfies({ nsis: "Low" }, { kind: "nsis", minimum: "Substantial" })).toBe(false);
    expect(satisfies({ nsis: "Substantial" }, { kind: "nsis", minimum: "High" })).toBe(false);
  });

  it("never lets a NIST level prove an NSIS requirement", () => {
    expect(satisfies({ nist: 4 }, { kind: "nsis", minimum: "Low" })).toBe(false);
    expect(satisfies({ nist: 3 }, { kind: "nsis", minimum: "Substantial" })).toBe(false);
    expect(satisfies({}, { kind: "nsis", minimum: "Low" })).toBe(false);
  });

  it("lets an NSIS level prove a NIST requirement through the table", () => {
    expect(satisfies({ nsis: "Substantial" }, { kind: "nist", minimum: 3 })).toBe(true);
    expect(satisfies({ nsis: "Low" }, { kind: "nist", minimum: 3 })).toBe(false);
    expect(satisfies({ nsis: "Low" }, { kind: "nist", minimum: 2 })).toBe(true);
    expect(satisfies({ nsis: "High" }, { kind: "nist", minimum: 4 })).toBe(true);
    expect(satisfies({ nsis: "Substantial" }, { kind: "nist", minimum: 4 })).toBe(false);
    expect(satisfies({ nsis: "High" }, { kind: "nist", minimum: 4 }, OIOSAML_REFERENCE_NIST_FROM_NSIS)).toBe(false);
  });

  it("compares delivered NIST levels directly", () => {
    expect(satisfies({ nist: 3 }, { kind: "nist", minimum: 3 })).toBe(true);
    expect(satisfies({ nist: 2 }, { kind: "nist", minimum: 3 })).toBe(false);
    expect(satisfies({}, { kind: "nist", minimum: 1 })).toBe(false);
  });
});

describe("levelFromClassRef", () => {
  it("reads the NSIS loa URLs", () => {
    expect(levelFromClassRef("https://data.gov.dk/concept/core/nsis/loa/Low")).toEqual({ nsis: "Low" });
    expect(levelFromClassRef("https://data.gov.dk/concept/core/nsis/loa/Substantial")).toEqual({ nsis: "Substantial" });
    expect(levelFromClassRef("https://data.gov.dk/concept/core/nsis/loa/High")).toEqual({ nsis: "High" });
  });

  it("reads the OIOSAML 2 AssuranceLevel URNs", () => {
    expect(levelFromClassRef("urn:dk:gov:saml:attribute:AssuranceLevel:1")).toEqual({ nist: 1 });
    expect(levelFromClassRef("urn:dk:gov:saml:attribute:AssuranceLevel:3")).toEqual({ nist: 3 });
    expect(levelFromClassRef("urn:dk:gov:saml:attribute:AssuranceLevel:4")).toEqual({ nist: 4 });
  });

  it("round-trips with the class ref writers", () => {
    expect(levelFromClassRef(nsisClassRef("High"))).toEqual({ nsis: "High" });
    expect(levelFromClassRef(nistClassRef(2))).toEqual({ nist: 2 });
  });

  it("gives nothing for unknown or malformed values", () => {
    expect(levelFromClassRef("https://data.gov.dk/concept/core/nsis/loa/Medium")).toEqual({});
    expect(levelFromClassRef("https://data.gov.dk/concept/core/nsis/loa/high")).toEqual({});
    expect(levelFromClassRef("https://data.gov.dk/concept/core/nsis/loa/")).toEqual({});
    expect(levelFromClassRef("urn:dk:gov:saml:attribute:AssuranceLevel:5")).toEqual({});
    expect(levelFromClassRef("urn:dk:gov:saml:attribute:AssuranceLevel:")).toEqual({});
    expect(levelFromClassRef("urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport")).toEqual({});
    expect(levelFromClassRef("http://schemas.microsoft.com/claims/multipleauthn")).toEqual({});
    expect(levelFromClassRef("")).toEqual({});
  });
});
