/**
 * The data that flows through a login, protocol-neutral (DESIGN.md):
 * LoginRequest (what the downstream party asks) → UpstreamResult (what each
 * upstream proved) → Identity (the merged result that policy releases).
 */
import type { LevelRequirement, ReachedLevel } from "../profiles/levels.js";

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
  createdAt: number;
}

export interface RawAttribute {
  name: string;
  values: string[];
}

/** What one upstream authentication proved, read only from signed content. */
export interface UpstreamResult {
  kind: "municipal-idp";
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

export interface Identity {
  person: Person;
  organisation: Organisation;
  level: ReachedLevel;
  /** OIO-BPP privileges as received (base64), passed through for now. */
  privilegesBase64: string | undefined;
  authnInstant: string;
  authenticatingAuthorities: string[];
  evidence: Evidence[];
}
