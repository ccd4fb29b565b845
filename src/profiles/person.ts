/**
 * The shapes the profiles read and write: a claim as an upstream names it,
 * the person facts the Danish profiles define, and what a release needs.
 * The neutral model (src/model/) builds on these; profiles import nothing above.
 */
import type { ReachedLevel } from "./levels.js";
import type { PrivilegeList } from "./bpp.js";

/** One claim as the upstream named it (a SAML attribute, an OIDC claim). */
export interface RawAttribute {
  name: string;
  values: string[];
}

export interface Person {
  nameId: string;
  nameIdFormat: string | undefined;
  uuid: string | undefined;
  rid: string | undefined;
  cpr: string | undefined;
  firstName: string | undefined;
  lastName: string | undefined;
  fullName: string | undefined;
  email: string | undefined;
}

/** What a release profile needs of an identity (the neutral Identity has this shape). */
export interface ReleasableIdentity {
  person: Person;
  organisation: { cvr: string; name: string };
  level: ReachedLevel;
  privileges: { stage: "translated"; list: PrivilegeList } | { stage: "not-read" | "received" | "scoped" };
}
