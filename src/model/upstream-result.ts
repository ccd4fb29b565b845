/**
 * What one upstream authentication proved, in neutral terms. The backend that
 * verified the answer reads the protocol's names (OIOSAML 3 attributes,
 * NemLog-in's attributes, Entra ID claims) through the pure profiles into
 * `claims`; the core never decodes attribute names.
 */
import type { ReachedLevel } from "../profiles/levels.js";
import type { SubjectKind } from "../profiles/robot.js";
import type { Person, RawAttribute } from "../profiles/person.js";

export type { RawAttribute } from "../profiles/person.js";

/**
 * Which role an upstream plays in the login: the municipality's own IdP, or
 * NemLog-in (MitID Erhverv) as a step-up after it.
 */
export type UpstreamKind = "municipal-idp" | "nemlogin";

/** The identity facts an upstream asserted, read by its backend. */
export interface ClaimedIdentity {
  person: Person;
  /** The organisation (CVR) the upstream asserted, if it did. */
  cvr: string | undefined;
  subject: SubjectKind;
  privileges: SentPrivileges;
}

/** The privileges as the upstream sent them: none, OIO-BPP (base64, decoded by the core's privilege steps), or unreadable. */
export type SentPrivileges = { sent: "none" } | { sent: "oio-bpp"; encoded: string } | { sent: "unreadable"; detail: string };

/**
 * The claims, or why they could not be read. A problem is not a failed
 * answer (the answer verified): the core refuses the login at the step that
 * needs the claims, with this reason.
 */
export type UpstreamClaims = { readable: true; identity: ClaimedIdentity } | { readable: false; reason: string; detail: string };

/** How the answer was sent, as the backend saw it while verifying (for the IdP self-check; nothing decides on it). */
export interface UpstreamDiagnostics {
  /** The message's own timestamp (SAML Response IssueInstant). */
  issueInstant: string | undefined;
  signatureAlgorithms: string[];
  digestAlgorithms: string[];
  /** Set when the assertion arrived encrypted. */
  dataEncryption: string | undefined;
  keyTransport: string | undefined;
  /** Each attribute's name and the NameFormat it was sent with (SAML; undefined: none given). */
  attributeNameFormats?: Array<{ name: string; nameFormat: string | undefined }> | undefined;
}

export interface UpstreamResult {
  kind: UpstreamKind;
  upstreamId: string;
  issuer: string;
  /** The subject identifier and its format as the upstream sent them (SAML NameID, OIDC sub). */
  nameId: string;
  nameIdFormat: string | undefined;
  claims: UpstreamClaims;
  /** Every claim as named by the upstream (for attribute services that forward some of them). */
  attributes: RawAttribute[];
  level: ReachedLevel;
  authnInstant: string;
  /** The upstream's session at its IdP (SAML SessionIndex, OIDC sid), for logout. */
  sessionIndex: string | undefined;
  /** The verified message's id (assertion ID, ID token jti): the audit trail's evidence. */
  assertionId: string;
  diagnostics?: UpstreamDiagnostics | undefined;
}
