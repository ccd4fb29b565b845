/**
 * OIOSAML 3 profile: reads the person from an upstream's attributes and writes
 * the attribute set a fagsystem receives. Pure functions, no I/O.
 */
import type { Identity, Person, RawAttribute } from "../login/types.js";
import { effectiveNist, levelFromClassRef, isNsisLevel, parseNistLevel, nsisClassRef, nistClassRef, type ReachedLevel } from "./levels.js";
import { KOMBIT_SPEC_VERSION, LEGACY, OIOSAML3, SPEC_VERSION_OIOSAML3 } from "./oiosaml3-attributes.js";
import { ATTRNAME_FORMAT_BASIC, ATTRNAME_FORMAT_URI } from "../saml/namespaces.js";
import type { OutgoingAttribute } from "../saml/response-builder.js";

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
    firstName: single(attributes, OIOSAML3.firstName),
    lastName: single(attributes, OIOSAML3.lastName),
    fullName: single(attributes, OIOSAML3.fullName),
    email: single(attributes, OIOSAML3.email),
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

/** The OIOSAML 3 attribute set for a fagsystem (KOMBIT profile). */
export function oiosaml3Attributes(identity: Identity, options: ReleaseOptions): OutgoingAttribute[] {
  const out: OutgoingAttribute[] = [];
  const add = (name: string, value: string | undefined, nameFormat: string = ATTRNAME_FORMAT_URI) => {
    if (value !== undefined && value !== "") out.push({ name, values: [value], nameFormat });
  };
  add(OIOSAML3.specVersion, SPEC_VERSION_OIOSAML3);
  add(LEGACY.kombitSpecVer, KOMBIT_SPEC_VERSION, ATTRNAME_FORMAT_BASIC);
  add(OIOSAML3.kombitSpecVer, KOMBIT_SPEC_VERSION);
  add(OIOSAML3.loa, identity.level.nsis);
  const nist = effectiveNist(identity.level);
  add(LEGACY.assuranceLevel, nist === undefined ? undefined : String(nist), ATTRNAME_FORMAT_BASIC);
  add(OIOSAML3.cvr, identity.organisation.cvr);
  add(OIOSAML3.orgName, identity.organisation.name);
  add(OIOSAML3.uuidPersistent, identity.person.uuid);
  add(OIOSAML3.rid, identity.person.rid);
  if (options.withPersonalData) {
    add(OIOSAML3.email, identity.person.email);
    add(OIOSAML3.firstName, identity.person.firstName);
    add(OIOSAML3.lastName, identity.person.lastName);
    add(OIOSAML3.fullName, identity.person.fullName);
  }
  add(OIOSAML3.privilegesIntermediate, identity.privilegesBase64);
  return out;
}
