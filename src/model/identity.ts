/**
 * The merged, protocol-neutral result of a login: who, for which
 * organisation, how strongly proved, which privileges, and the evidence.
 */
import type { ReachedLevel } from "../profiles/levels.js";
import type { PrivilegeList } from "../profiles/bpp.js";
import type { IncomingRole, RoleOutcome } from "../profiles/role-translation.js";
import type { SubjectKind } from "../profiles/robot.js";
import type { Person } from "../profiles/person.js";

export type { Person } from "../profiles/person.js";

export interface Organisation {
  cvr: string;
  name: string;
}

export interface Evidence {
  upstreamId: string;
  issuer: string;
  assertionId: string;
  authnInstant: string;
}

/**
 * Privileges through the login. Only `translated` privileges can be
 * released to a fagsystem; every stage carries the outcomes so far (what
 * each incoming role became, or why it was dropped).
 */
export type PrivilegeState =
  | { stage: "not-read" }
  /** Decoded from the IdP's OIO-BPP: one entry per privilege, groups that could not be read already dropped. */
  | { stage: "received"; source: string; roles: IncomingRole[]; outcomes: RoleOutcome[] }
  /** After the scope rule: roles the asserted organisation may carry (own or delegated to it). */
  | { stage: "scoped"; source: string; roles: Array<IncomingRole & { delegated: boolean }>; outcomes: RoleOutcome[] }
  /** The target fagsystem's user-system roles, ready to release. */
  | { stage: "translated"; source: string; list: PrivilegeList; outcomes: RoleOutcome[] };

export interface Identity {
  /** A person, or a robot (RPA system user) as the IdP's registration recognises it. */
  subject: SubjectKind;
  person: Person;
  organisation: Organisation;
  /** The level proved: what the upstream asserted, capped to what it is registered to deliver. */
  level: ReachedLevel;
  privileges: PrivilegeState;
  authnInstant: string;
  authenticatingAuthorities: string[];
  evidence: Evidence[];
}
