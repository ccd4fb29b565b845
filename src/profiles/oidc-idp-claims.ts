/**
 * A municipal IdP's verified ID token claims, read as the neutral person,
 * level and privileges: the Entra ID profile (oid as the stable id, upn,
 * groups or roles, amr, tid) or a generic one (sub, email, names). Claims an
 * attribute service may be asked by (UPN, groups) are also offered under the
 * names Entra ID uses in SAML, so the same attribute-service registration
 * serves a municipality over either protocol. Pure functions.
 */
import type { Person, RawAttribute } from "./person.js";
import type { NistLevel, ReachedLevel } from "./levels.js";
import { BPP_NAMESPACES, cvrScope, type PrivilegeList } from "./bpp.js";
import { encodePrivilegesAttribute } from "./bpp-codec.js";

/** Entra ID's claim names in SAML (what AD FS and Entra's SAML apps send). */
export const ENTRA_SAML_CLAIMS = {
  upn: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn",
  groups: "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
  roles: "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
  objectId: "http://schemas.microsoft.com/identity/claims/objectidentifier",
  tenantId: "http://schemas.microsoft.com/identity/claims/tenantid",
} as const;

export type OidcClaimProfile = "entra" | "generic";

export interface OidcIdpRules {
  profile: OidcClaimProfile;
  /** The level a login counts as, and the NIST level `amr: ["mfa", ...]` raises it to. */
  level: { nist: NistLevel; mfaNist?: NistLevel | undefined };
  /** The municipality's CVR: the scope of job-function roles from group mappings. */
  cvr: string;
  groupRoles: ReadonlyArray<{ group: string; jobFunctionRole: string }>;
}

export type OidcIdentityReading =
  | {
      ok: true;
      /** The stable subject (Entra: oid; generic: sub). */
      nameId: string;
      person: Person;
      level: ReachedLevel;
      attributes: RawAttribute[];
      /** Job-function roles from the group mappings, as OIO-BPP; undefined when none are mapped. */
      privileges: string | undefined;
    }
  | { ok: false; reason: string; detail: string };

const text = (value: unknown): string | undefined => (typeof value === "string" && value.trim() !== "" ? value.trim() : undefined);
const texts = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string" && v !== "") : []);

export function readOidcIdentity(claims: Readonly<Record<string, unknown>>, rules: OidcIdpRules): OidcIdentityReading {
  const entra = rules.profile === "entra";
  const nameId = entra ? text(claims["oid"]) : text(claims["sub"]);
  if (!nameId) return { ok: false, reason: "oidc_subject_missing", detail: entra ? "the ID token has no oid claim (Entra ID's stable user id)" : "the ID token has no sub" };
  const upn = entra ? (text(claims["upn"]) ?? text(claims["preferred_username"])) : undefined;
  const email = text(claims["email"]) ?? (entra ? upn : undefined);
  const groups = [...texts(claims["groups"]), ...texts(claims["roles"])];
  const amr = texts(claims["amr"]);
  const nist = amr.includes("mfa") && rules.level.mfaNist !== undefined ? rules.level.mfaNist : rules.level.nist;

  const attributes: RawAttribute[] = [];
  const add = (name: string, values: string[]) => {
    if (values.length > 0) attributes.push({ name, values });
  };
  for (const [name, value] of Object.entries(claims)) {
    if (typeof value === "string") add(name, [value]);
    else if (Array.isArray(value)) add(name, texts(value));
  }
  if (entra) {
    add(ENTRA_SAML_CLAIMS.objectId, [nameId]);
    if (upn) add(ENTRA_SAML_CLAIMS.upn, [upn]);
    add(ENTRA_SAML_CLAIMS.groups, texts(claims["groups"]));
    add(ENTRA_SAML_CLAIMS.roles, texts(claims["roles"]));
    const tid = text(claims["tid"]);
    if (tid) add(ENTRA_SAML_CLAIMS.tenantId, [tid]);
  }

  const roles = [...new Set(rules.groupRoles.filter((m) => groups.includes(m.group)).map((m) => m.jobFunctionRole))];
  const list: PrivilegeList = { namespace: BPP_NAMESPACES.digst, groups: [{ scope: cvrScope(rules.cvr), privileges: roles, constraints: [] }] };

  return {
    ok: true,
    nameId,
    person: {
      nameId,
      nameIdFormat: undefined,
      uuid: undefined,
      rid: undefined,
      cpr: undefined,
      firstName: text(claims["given_name"]),
      lastName: text(claims["family_name"]),
      fullName: text(claims["name"]),
      email,
    },
    level: { nist },
    attributes,
    privileges: roles.length > 0 ? encodePrivilegesAttribute(list) : undefined,
  };
}
