/**
 * The data that flows through a login, protocol-neutral (DESIGN.md):
 * LoginRequest (what the downstream party asks) → UpstreamResult (what each
 * upstream proved) → Identity (the merged result that policy releases).
 */
import type { LevelRequirement, ReachedLevel } from "../profiles/levels.js";
import type { PrivilegeList } from "../profiles/bpp.js";
import type { IncomingRole, RoleOutcome } from "../profiles/role-translation.js";
import type { SubjectKind } from "../profiles/robot.js";

export type NameIdFormatChoice = "persistent" | "x509SubjectName";

/** A downstream SAML request, decoded by the SAML IdP frontend. */
export interface SamlDownstream {
  protocol: "saml";
  spId: string;
  spEntityId: string;
  requestId: string;
  acsUrl: string;
  relayState: string | undefined;
}

export type Downstream = SamlDownstream;

export interface LoginRequest {
  correlationId: string;
  downstream: Downstream;
  requiredLevel: LevelRequirement;
  forceAuthn: boolean;
  isPassive: boolean;
  /** Municipality hint from the request (CVR or id), if any. */
  municipalityHint: string | undefined;
  /** The client's IP address as the broker sees it; selects an IdP by its clientIpRanges. */
  clientAddress?: string | undefined;
  createdAt: number;
}

export interface RawAttribute {
  name: string;
  values: string[];
}

/**
 * Which kind of upstream a result came from: the municipality's own IdP, or
 * NemLog-in (MitID Erhverv) as a step-up after it.
 */
export type UpstreamKind = "municipal-idp" | "nemlogin";

/** What one upstream authentication proved, read only from signed content. */
export interface UpstreamResult {
  kind: UpstreamKind;
  upstreamId: string;
  issuer: string;
  nameId: string;
  nameIdFormat: string | undefined;
  attributes: RawAttribute[];
  level: ReachedLevel;
  authnInstant: string;
  sessionIndex: string | undefined;
  assertionId: string;
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
 * Privileges through the pipeline. Only `translated` privileges can be
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
