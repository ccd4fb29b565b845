/**
 * What a fagsystem receives, per its registration: the attribute profile
 * (KOMBIT, KOMBIT_WITHOUT_PERSONAL_DATA, SEB) and its OIOSAML profile (3,
 * or legacy 2 with dk:gov:saml:attribute:* names). Only the SEB profile
 * carries a CPR number (seb-profile.ts); every other release is checked to
 * carry none. Pure functions.
 */
import type { ReleasableIdentity as Identity } from "./person.js";
import type { OutgoingAttribute } from "../saml/response-builder.js";
import { ATTRNAME_FORMAT_BASIC, ATTRNAME_FORMAT_URI } from "../saml/namespaces.js";
import { KOMBIT_SPEC_VERSION, LEGACY, OIOSAML3, SPEC_VERSION_OIOSAML3 } from "./oiosaml3-attributes.js";
import { OIOSAML2, SPEC_VERSION_OIOSAML2 } from "./oiosaml2-attributes.js";
import { effectiveNist, nistClassRef, nsisClassRef, type LevelRequirement, type NistFromNsisTable } from "./levels.js";
import { encodePrivilegesAttribute } from "./bpp-codec.js";
import type { PrivilegeList } from "./bpp.js";
import { sebRelease } from "./seb-profile.js";

export type AttributeProfile = "KOMBIT" | "KOMBIT_WITHOUT_PERSONAL_DATA" | "SEB";
export type SpOiosamlProfile = "OIOSAML3" | "OIOSAML2";

export class ReleaseError extends Error {
  constructor(
    readonly reason: "cpr_not_releasable" | "privileges_not_translated" | "level_not_expressible",
    message: string,
  ) {
    super(message);
    this.name = "ReleaseError";
  }
}

export interface ReleasePolicy {
  attributeProfile: AttributeProfile;
  oiosamlProfile: SpOiosamlProfile;
  /** The fagsystem's configured requirement: NIST systems get AssuranceLevel, NSIS systems the loa. */
  requiredLevel: LevelRequirement;
  levelTable: Readonly<NistFromNsisTable>;
}

export interface Release {
  attributes: OutgoingAttribute[];
  authnContextClassRef: string;
}

const UNSPECIFIED_CLASS = "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified";

function releasablePrivileges(identity: Identity): PrivilegeList {
  if (identity.privileges.stage !== "translated") {
    throw new ReleaseError("privileges_not_translated", `privileges are at stage ${identity.privileges.stage}; only translated privileges are released`);
  }
  return identity.privileges.list;
}

class AttributeList {
  readonly items: OutgoingAttribute[] = [];
  add(name: string, value: string | undefined, nameFormat: string = ATTRNAME_FORMAT_URI): void {
    if (value !== undefined && value !== "") this.items.push({ name, values: [value], nameFormat });
  }
}

export interface KombitOptions {
  withPersonalData: boolean;
  requiredLevel: LevelRequirement;
  levelTable: Readonly<NistFromNsisTable>;
  /** Translated privileges to release; undefined leaves the attribute out. */
  privileges: PrivilegeList | undefined;
}

/**
 * The KOMBIT attribute set in OIOSAML 3 names (what KOMBIT's sample fagsystem
 * expects). The NSIS loa goes to systems that require an NSIS level (or none),
 * AssuranceLevel to systems that require a NIST level (or none).
 */
export function kombitOiosaml3(identity: Identity, options: KombitOptions): Release {
  const out = new AttributeList();
  const nist = effectiveNist(identity.level, options.levelTable);
  out.add(OIOSAML3.specVersion, SPEC_VERSION_OIOSAML3);
  out.add(LEGACY.kombitSpecVer, KOMBIT_SPEC_VERSION, ATTRNAME_FORMAT_BASIC);
  out.add(OIOSAML3.kombitSpecVer, KOMBIT_SPEC_VERSION);
  if (options.requiredLevel.kind !== "nist") out.add(OIOSAML3.loa, identity.level.nsis);
  if (options.requiredLevel.kind !== "nsis") out.add(LEGACY.assuranceLevel, nist === undefined ? undefined : String(nist), ATTRNAME_FORMAT_BASIC);
  out.add(OIOSAML3.cvr, identity.organisation.cvr);
  out.add(OIOSAML3.orgName, identity.organisation.name);
  out.add(OIOSAML3.uuidPersistent, identity.person.uuid);
  out.add(OIOSAML3.rid, identity.person.rid);
  if (options.withPersonalData) {
    out.add(OIOSAML3.email, identity.person.email);
    out.add(OIOSAML3.firstName, identity.person.firstName);
    out.add(OIOSAML3.lastName, identity.person.lastName);
    out.add(OIOSAML3.fullName, identity.person.fullName);
  }
  if (options.privileges) out.add(OIOSAML3.privilegesIntermediate, encodePrivilegesAttribute(options.privileges));
  const classRef =
    options.requiredLevel.kind === "nist" && nist !== undefined
      ? nistClassRef(nist)
      : identity.level.nsis
        ? nsisClassRef(identity.level.nsis)
        : nist !== undefined
          ? nistClassRef(nist)
          : UNSPECIFIED_CLASS;
  return { attributes: out.items, authnContextClassRef: classRef };
}

/** The KOMBIT attribute set in OIOSAML 2 names, for legacy fagsystemer (always a NIST level). */
function kombitOiosaml2(identity: Identity, privileges: PrivilegeList, policy: ReleasePolicy): Release {
  const nist = effectiveNist(identity.level, policy.levelTable);
  if (nist === undefined) throw new ReleaseError("level_not_expressible", "the login proved no NIST level, which an OIOSAML 2 fagsystem needs");
  const out = new AttributeList();
  const withPersonalData = policy.attributeProfile === "KOMBIT";
  out.add(OIOSAML2.specVer, SPEC_VERSION_OIOSAML2, ATTRNAME_FORMAT_BASIC);
  out.add(OIOSAML2.kombitSpecVer, KOMBIT_SPEC_VERSION, ATTRNAME_FORMAT_BASIC);
  out.add(OIOSAML2.assuranceLevel, String(nist), ATTRNAME_FORMAT_BASIC);
  out.add(OIOSAML2.cvr, identity.organisation.cvr, ATTRNAME_FORMAT_BASIC);
  out.add(OIOSAML2.organizationName, identity.organisation.name);
  out.add(OIOSAML2.rid, identity.person.rid, ATTRNAME_FORMAT_BASIC);
  if (withPersonalData) {
    out.add(OIOSAML2.mail, identity.person.email);
    out.add(OIOSAML2.commonName, identity.person.fullName ?? ([identity.person.firstName, identity.person.lastName].filter(Boolean).join(" ") || undefined));
    out.add(OIOSAML2.surname, identity.person.lastName);
  }
  out.add(OIOSAML2.privilegesIntermediate, encodePrivilegesAttribute(privileges), ATTRNAME_FORMAT_BASIC);
  return { attributes: out.items, authnContextClassRef: nistClassRef(nist) };
}

/** Whether a party with this profile receives the user's CPR number (only SEB does). */
export function profileCarriesCpr(profile: AttributeProfile): boolean {
  return profile === "SEB";
}

/** Every attribute (and OIDC claim) name a CPR number can travel under. */
export const CPR_ATTRIBUTE_NAMES: readonly string[] = [LEGACY.cpr, OIOSAML3.cprNumber];

/** The attributes and AuthnContextClassRef a fagsystem receives for this identity. */
export function releaseFor(identity: Identity, policy: ReleasePolicy): Release {
  const privileges = releasablePrivileges(identity);
  if (policy.attributeProfile === "SEB") return sebRelease(identity, { requiredLevel: policy.requiredLevel, levelTable: policy.levelTable, privileges });
  const release =
    policy.oiosamlProfile === "OIOSAML2"
      ? kombitOiosaml2(identity, privileges, policy)
      : kombitOiosaml3(identity, {
          withPersonalData: policy.attributeProfile === "KOMBIT",
          requiredLevel: policy.requiredLevel,
          levelTable: policy.levelTable,
          privileges,
        });
  // The CPR rule's last guard: no profile but SEB ever carries a CPR number.
  if (release.attributes.some((a) => CPR_ATTRIBUTE_NAMES.includes(a.name))) throw new ReleaseError("cpr_not_releasable", `attribute profile ${policy.attributeProfile} never carries a CPR number`);
  return release;
}
