/**
 * The SEB attribute profile: what the health sector's broker (SEB) receives,
 * in the older OIOSAML 2 attribute style it consumes (SpecVer DK-SAML-2.0,
 * dk:gov:saml:attribute:* names, urn:oid names for organisation, common name
 * and user id), with the user's CPR number. SEB is the only profile that
 * carries a CPR; a release without one is refused, never sent partial.
 * Pure functions.
 */
import type { ReleasableIdentity as Identity, Person } from "./person.js";
import type { OutgoingAttribute } from "../saml/response-builder.js";
import { ATTRNAME_FORMAT_BASIC, ATTRNAME_FORMAT_URI } from "../saml/namespaces.js";
import { OIOSAML2, SPEC_VERSION_OIOSAML2 } from "./oiosaml2-attributes.js";
import { OIOSAML3 } from "./oiosaml3-attributes.js";
import { effectiveNist, nistClassRef, nsisClassRef, type LevelRequirement, type NistFromNsisTable } from "./levels.js";
import { encodePrivilegesAttribute } from "./bpp-codec.js";
import type { PrivilegeList } from "./bpp.js";

/** The attribute names SEB reads. */
export const SEB_ATTRIBUTES = {
  specVer: OIOSAML2.specVer,
  assuranceLevel: OIOSAML2.assuranceLevel,
  loa: OIOSAML3.loa,
  cpr: OIOSAML2.cpr,
  cvr: OIOSAML2.cvr,
  rid: OIOSAML2.rid,
  organizationName: OIOSAML2.organizationName,
  commonName: OIOSAML2.commonName,
  uid: OIOSAML2.uid,
  uuid: OIOSAML3.uuidPersistent,
  privileges: OIOSAML2.privilegesIntermediate,
} as const;

/** Why a SEB answer cannot be built (the login core refuses before it gets here; this is the last guard). */
export class SebReleaseError extends Error {
  constructor(
    readonly reason: "cpr_missing" | "cpr_invalid" | "level_not_expressible",
    message: string,
  ) {
    super(message);
    this.name = "SebReleaseError";
  }
}

/** A CPR number as SEB receives it: ten digits (a hyphen after the date is dropped), or undefined when it is not one. */
export function normaliseCprNumber(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const digits = value.trim().replace(/^(\d{6})-(\d{4})$/, "$1$2");
  return /^\d{10}$/.test(digits) ? digits : undefined;
}

/** The Serial of an X509SubjectName NameID (`C=DK,O=<CVR>,CN=<name>,Serial=<id>`). */
function serialOf(nameId: string): string | undefined {
  return /(?:^|,)\s*Serial=([^,]+?)\s*$/i.exec(nameId)?.[1];
}

/** The user id SEB maps the user by: the professional UUID, else the RID, else the Serial of the NameID, else the NameID. */
export function sebUserId(person: Person): string {
  return person.uuid ?? person.rid ?? serialOf(person.nameId) ?? person.nameId;
}

function commonName(person: Person): string | undefined {
  return person.fullName ?? ([person.firstName, person.lastName].filter(Boolean).join(" ") || undefined);
}

export interface SebOptions {
  requiredLevel: LevelRequirement;
  levelTable: Readonly<NistFromNsisTable>;
  privileges: PrivilegeList;
}

export interface SebRelease {
  attributes: OutgoingAttribute[];
  authnContextClassRef: string;
}

export function sebRelease(identity: Identity, options: SebOptions): SebRelease {
  if (identity.person.cpr === undefined) throw new SebReleaseError("cpr_missing", "SEB needs the user's CPR number (dk:gov:saml:attribute:CprNumberIdentifier); the login has none");
  const cpr = normaliseCprNumber(identity.person.cpr);
  if (cpr === undefined) throw new SebReleaseError("cpr_invalid", "the user's CPR number is not ten digits");
  const nist = effectiveNist(identity.level, options.levelTable);
  const nsis = identity.level.nsis;
  if (nist === undefined && nsis === undefined) throw new SebReleaseError("level_not_expressible", "the login proved no level SEB can read");
  const items: OutgoingAttribute[] = [];
  const add = (name: string, value: string | undefined, nameFormat: string = ATTRNAME_FORMAT_BASIC): void => {
    if (value !== undefined && value !== "") items.push({ name, values: [value], nameFormat });
  };
  add(SEB_ATTRIBUTES.specVer, SPEC_VERSION_OIOSAML2);
  add(SEB_ATTRIBUTES.assuranceLevel, nist === undefined ? undefined : String(nist));
  add(SEB_ATTRIBUTES.loa, nsis, ATTRNAME_FORMAT_URI);
  add(SEB_ATTRIBUTES.cpr, cpr);
  add(SEB_ATTRIBUTES.cvr, identity.organisation.cvr);
  add(SEB_ATTRIBUTES.rid, identity.person.rid);
  add(SEB_ATTRIBUTES.organizationName, identity.organisation.name, ATTRNAME_FORMAT_URI);
  add(SEB_ATTRIBUTES.commonName, commonName(identity.person), ATTRNAME_FORMAT_URI);
  add(SEB_ATTRIBUTES.uid, sebUserId(identity.person), ATTRNAME_FORMAT_URI);
  add(SEB_ATTRIBUTES.uuid, identity.person.uuid, ATTRNAME_FORMAT_URI);
  add(SEB_ATTRIBUTES.privileges, encodePrivilegesAttribute(options.privileges));
  const classRef = options.requiredLevel.kind === "nist" && nist !== undefined ? nistClassRef(nist) : nsis ? nsisClassRef(nsis) : nistClassRef(nist!);
  return { attributes: items, authnContextClassRef: classRef };
}
