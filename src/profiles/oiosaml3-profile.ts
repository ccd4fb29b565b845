/**
 * OIOSAML 3 profile: reads the person from an upstream's attributes and writes
 * the attribute set a fagsystem receives. Pure functions, no I/O.
 */
import type { ReleasableIdentity as Identity } from "./person.js";
import type { Person, RawAttribute } from "./person.js";
import { DEFAULT_NIST_FROM_NSIS, levelFromClassRef, isNsisLevel, parseNistLevel, nsisClassRef, nistClassRef, type ReachedLevel } from "./levels.js";
import { LEGACY, OIOSAML3 } from "./oiosaml3-attributes.js";
import { OIOSAML2 } from "./oiosaml2-attributes.js";
import type { OutgoingAttribute } from "../saml/response-builder.js";
import { kombitOiosaml3 } from "./release-profiles.js";

export class ProfileError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = "ProfileError";
  }
}

function single(attributes: RawAttribute[], ...names: string[]): string | undefined {
  for (const name of names) {
    const found = attributes.find((a) => a.name === name);
    if (!found) continue;
    const values = found.values.map((v) => v.trim()).filter((v) => v !== "");
    if (values.length > 1 && new Set(values).size > 1) throw new ProfileError("attribute_ambiguous", `attribute ${name} has more than one value`);
    if (values[0] !== undefined) return values[0];
  }
  return undefined;
}

export function normaliseUuid(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const bare = value.replace(/^urn:uuid:/i, "").toLowerCase();
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(bare)) {
    throw new ProfileError("attribute_invalid", "professional UUID is not a UUID");
  }
  return bare;
}

export function readPerson(nameId: string, nameIdFormat: string | undefined, attributes: RawAttribute[]): Person {
  return {
    nameId,
    nameIdFormat,
    uuid: normaliseUuid(single(attributes, OIOSAML3.uuidPersistent)),
    rid: single(attributes, OIOSAML3.rid, LEGACY.rid),
    cpr: single(attributes, OIOSAML3.cprNumber, LEGACY.cpr),
    // OIOSAML 2 IdPs send the urn:oid names.
    firstName: single(attributes, OIOSAML3.firstName, OIOSAML2.givenName),
    lastName: single(attributes, OIOSAML3.lastName, OIOSAML2.surname),
    fullName: single(attributes, OIOSAML3.fullName, OIOSAML2.commonName),
    email: single(attributes, OIOSAML3.email, OIOSAML2.mail),
  };
}

export function readCvr(attributes: RawAttribute[]): string | undefined {
  const cvr = single(attributes, OIOSAML3.cvr, LEGACY.cvr);
  if (cvr !== undefined && !/^\d{8}$/.test(cvr)) throw new ProfileError("attribute_invalid", "CVR is not 8 digits");
  return cvr;
}

export function readPrivileges(attributes: RawAttribute[]): string | undefined {
  return single(attributes, OIOSAML3.privilegesIntermediate, LEGACY.privilegesIntermediate);
}

/** The level an upstream reached: NSIS from the loa attribute or class, NIST from AssuranceLevel or class. */
export function readLevel(attributes: RawAttribute[], classRef: string | undefined): ReachedLevel {
  const fromClass = classRef ? levelFromClassRef(classRef) : {};
  const loa = single(attributes, OIOSAML3.loa);
  const nistRaw = single(attributes, LEGACY.assuranceLevel);
  const level: ReachedLevel = {};
  const nsis = loa !== undefined ? (isNsisLevel(loa) ? loa : undefined) : fromClass.nsis;
  if (loa !== undefined && nsis === undefined) throw new ProfileError("attribute_invalid", `NSIS level ${loa} is not Low, Substantial or High`);
  if (loa !== undefined && fromClass.nsis !== undefined && fromClass.nsis !== loa) {
    throw new ProfileError("level_conflict", "the loa attribute and AuthnContextClassRef disagree");
  }
  if (nsis) level.nsis = nsis;
  const nist = nistRaw !== undefined ? parseNistLevel(nistRaw) : fromClass.nist;
  if (nistRaw !== undefined && nist === undefined) throw new ProfileError("attribute_invalid", `AssuranceLevel ${nistRaw} is not 1–4`);
  if (nistRaw !== undefined && fromClass.nist !== undefined && fromClass.nist !== nist) {
    throw new ProfileError("level_conflict", "the AssuranceLevel attribute and AuthnContextClassRef disagree");
  }
  if (nist) level.nist = nist;
  return level;
}

export function classRefForLevel(level: ReachedLevel): string {
  if (level.nsis) return nsisClassRef(level.nsis);
  if (level.nist) return nistClassRef(level.nist);
  return "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified";
}

export interface ReleaseOptions {
  withPersonalData: boolean;
}

/**
 * The KOMBIT attribute set in OIOSAML 3 names with the default level rules,
 * for a fagsystem without a configured level. Fagsystemer are answered
 * through release-profiles.ts, which applies their registration.
 */
export function oiosaml3Attributes(identity: Identity, options: ReleaseOptions): OutgoingAttribute[] {
  return kombitOiosaml3(identity, {
    withPersonalData: options.withPersonalData,
    requiredLevel: { kind: "none" },
    levelTable: DEFAULT_NIST_FROM_NSIS,
    privileges: identity.privileges.stage === "translated" ? identity.privileges.list : undefined,
  }).attributes;
}
