/**
 * NemLog-in (MitID Erhverv) as the step-up upstream: what its assertion says
 * about the person, and whether that person is the one the municipal IdP
 * authenticated. Pure functions, no I/O.
 *
 * NemLog-in's NameID is persistent, `https://data.gov.dk/model/core/eid/
 * professional/uuid/<UUID>` for an employee (`.../eid/person/uuid/<UUID>` for
 * a private person, which a step-up never accepts). Its attributes carry the
 * NSIS level (loa), the CVR of the organisation, the professional persistent
 * UUID, the RID where the organisation has one, and the CPR number only when
 * the organisation lets it through.
 */
import type { Person, RawAttribute } from "./person.js";
import type { NsisLevel, ReachedLevel } from "./levels.js";
import { normaliseUuid, ProfileError, readCvr, readPerson } from "./oiosaml3-profile.js";
import { NAMEID_FORMAT } from "../saml/namespaces.js";

/** RequestedAuthnContext class asking NemLog-in for an employee (MitID Erhverv) identity. */
/** The persistent identifier a step-up is bound to: the person NemLog-in authenticated must be the one the municipal IdP did. */
export const STEP_UP_BINDINGS = ["uuid", "rid", "cpr"] as const;
export type StepUpBinding = (typeof STEP_UP_BINDINGS)[number];

export const PROFESSIONAL_IDENTITY_CLASS = "https://data.gov.dk/eid/Professional";

const NAMEID_PATTERN = /^https:\/\/data\.gov\.dk\/model\/core\/eid\/(person|professional)\/uuid\/(.+)$/;

/** What a NemLog-in assertion proves about the person, after its own consistency checks. */
export interface NemLogInIdentity {
  /** The professional persistent UUID (from the NameID; the attribute, when sent, must agree). */
  uuid: string;
  cvr: string;
  rid: string | undefined;
  cpr: string | undefined;
  /** The NSIS level NemLog-in asserted (NemLog-in asserts no NIST levels). */
  nsis: NsisLevel;
}

/**
 * Reads NemLog-in's answer (`level` as the backend read it from the loa
 * attribute and AuthnContextClassRef). Fails (ProfileError) on anything that is not a
 * professional identity with a CVR and an NSIS level, and on a UUID attribute
 * that disagrees with the NameID.
 */
export function readNemLogInIdentity(nameId: string, nameIdFormat: string | undefined, attributes: RawAttribute[], level: ReachedLevel): NemLogInIdentity {
  if (nameIdFormat !== NAMEID_FORMAT.persistent) throw new ProfileError("nemlogin_nameid_invalid", `NemLog-in NameID format is ${nameIdFormat ?? "absent"}, not persistent`);
  const match = NAMEID_PATTERN.exec(nameId.trim());
  if (!match) throw new ProfileError("nemlogin_nameid_invalid", "NemLog-in NameID is not an eid .../uuid/<UUID> identifier");
  if (match[1] !== "professional") throw new ProfileError("nemlogin_not_professional", "NemLog-in authenticated a private person, not an employee (MitID Erhverv)");
  const fromNameId = normaliseUuid(match[2]);
  const person = readPerson(nameId, nameIdFormat, attributes);
  if (person.uuid !== undefined && person.uuid !== fromNameId) {
    throw new ProfileError("nemlogin_uuid_conflict", "NemLog-in's professional UUID attribute and its NameID name different identities");
  }
  const cvr = readCvr(attributes);
  if (cvr === undefined) throw new ProfileError("nemlogin_cvr_missing", "NemLog-in's assertion carries no CVR");
  if (level.nsis === undefined) throw new ProfileError("nemlogin_level_missing", "NemLog-in's assertion carries no NSIS level");
  return { uuid: fromNameId!, cvr, rid: person.rid, cpr: person.cpr, nsis: level.nsis };
}

export type SamePersonCheck =
  | { ok: true; binding: StepUpBinding; value: string }
  | { ok: false; reason: "step_up_binding_missing" | "step_up_other_person" | "step_up_other_organisation"; detail: string };

function normaliseCpr(value: string): string {
  return value.replace(/-/g, "").trim();
}

/** The binding key of each side, normalised for comparison (undefined: that side does not carry it). */
function bindingValue(binding: StepUpBinding, person: Pick<Person, "uuid" | "rid" | "cpr">): string | undefined {
  switch (binding) {
    case "uuid":
      return person.uuid;
    case "rid":
      return person.rid?.trim() || undefined;
    case "cpr":
      return person.cpr === undefined ? undefined : normaliseCpr(person.cpr) || undefined;
  }
}

/**
 * The step-up must be the person the municipal IdP authenticated, acting for
 * the same organisation: NemLog-in's CVR equals the municipal login's CVR, and
 * the configured binding key (professional UUID, RID or CPR) is present on
 * both sides and equal. Anything else is a refusal; never a merge.
 */
export function checkSamePerson(binding: StepUpBinding, municipal: { person: Person; cvr: string }, nemlogin: NemLogInIdentity): SamePersonCheck {
  if (nemlogin.cvr !== municipal.cvr) {
    return { ok: false, reason: "step_up_other_organisation", detail: `NemLog-in authenticated an employee of CVR ${nemlogin.cvr}; the municipal login is for CVR ${municipal.cvr}` };
  }
  const ours = bindingValue(binding, municipal.person);
  if (ours === undefined) return { ok: false, reason: "step_up_binding_missing", detail: `the municipal IdP sent no ${binding} to bind the step-up to` };
  const theirs = bindingValue(binding, nemlogin);
  if (theirs === undefined) return { ok: false, reason: "step_up_binding_missing", detail: `NemLog-in sent no ${binding} to bind the step-up to` };
  if (ours !== theirs) return { ok: false, reason: "step_up_other_person", detail: `the ${binding} from NemLog-in differs from the municipal login's` };
  return { ok: true, binding, value: ours };
}
