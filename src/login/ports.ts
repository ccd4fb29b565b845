/**
 * The ports: the interfaces through which the login core meets its edges,
 * wired once at start (src/http/wire-login.ts). The core imports none of
 * their implementations.
 *
 * - Frontend: encodes the outcome of a login (an Identity, or a refusal)
 *   into its protocol's answer to the downstream party. Decoding the party's
 *   request into a LoginRequest happens at the frontend's own routes.
 * - MunicipalUpstream / FurtherUpstream: send the person to an upstream; the
 *   backend's own route receives and verifies the answer into an
 *   UpstreamResult and hands it to the core (LoginService.complete).
 * - PrivilegeSource: the attribute services.
 * - UserRecords: the user store municipalities provision (the CPR number for
 *   parties whose profile carries one).
 */
import type { Interaction } from "../model/interaction.js";
import type { LoginRequest } from "../model/login-request.js";
import type { Identity, Person } from "../model/identity.js";
import type { LoginError, Refusal } from "../model/login-error.js";
import type { RawAttribute, UpstreamResult } from "../model/upstream-result.js";
import type { NsisLevel } from "../profiles/levels.js";
import type { DecodedPrivileges } from "../profiles/bpp-codec.js";
import type { DownstreamParty, IdentityProvider } from "../trust/registry.js";
import type { UserIdentifierChoice } from "../config/attribute-service-schema.js";
import type { PhaseTimer } from "../observability/login-timings.js";
import type { AwaitingUpstream } from "./login-state.js";
import type { FrontendAnswer } from "../model/session-participant.js";

export interface Frontend {
  /** The answer carrying this identity to the party (its profile, level and privileges applied), and the party as a session participant (for logout). */
  answer(request: LoginRequest, identity: Identity, timer: PhaseTimer): Promise<FrontendAnswer>;
  /** The refusal in the protocol's own terms (SAML status, OAuth error). */
  refuse(request: LoginRequest, error: LoginError): Interaction;
}

export interface StartedUpstream {
  interaction: Interaction;
  /** The id the answer will be matched by (AuthnRequest ID, OAuth state), for the log. */
  upstreamRequestId: string;
}

/** A municipality's own IdP, whatever protocol it speaks. */
export interface MunicipalUpstream {
  start(idp: IdentityProvider, request: LoginRequest, completed: UpstreamResult[]): Promise<StartedUpstream>;
}

/** A further upstream step after the municipal one (step-up), asked for an NSIS level. */
export interface FurtherUpstream {
  start(level: NsisLevel, request: LoginRequest, completed: UpstreamResult[]): Promise<StartedUpstream>;
}

/** An upstream's verified answer and the login it belongs to (taken from the store once). */
export interface ReceivedAnswer {
  state: AwaitingUpstream;
  result: UpstreamResult;
}

/**
 * An upstream answer that cannot be used, found after its login was: the
 * party can be told. `unexpected` marks a bug rather than a bad answer.
 */
export class UpstreamFailure extends Error {
  constructor(
    readonly state: AwaitingUpstream,
    readonly reason: string,
    message: string,
    readonly refusal: Refusal = "authentication_failed",
    readonly unexpected: Error | undefined = undefined,
    /** The status the upstream answered with (SAML second-level StatusCode), when it answered with one: for the IdP self-check's report. */
    readonly upstreamStatus: string | undefined = undefined,
  ) {
    super(message);
    this.name = "UpstreamFailure";
  }
}

/** A claim from the IdP passed along to an attribute service (Entra ID groups, app roles). */
export interface ForwardedClaim {
  /** The claim's name as the IdP sent it (AttributeQuery sends it so). */
  attribute: string;
  /** The REST query parameter it travels as. */
  parameter: string;
  values: string[];
}

export interface PrivilegeQuery {
  /** The identifier the service knows the user by (NameID, Serial, UUID, UPN, ...). */
  userId: string;
  /** The user's subject identifier and its format as the IdP sent them (AttributeQuery's Subject). */
  nameId: string;
  nameIdFormat: string | undefined;
  /** The organisation the login asserted. */
  cvr: string;
  /** The service's id for the target fagsystem. */
  systemId: string;
  claims: ForwardedClaim[];
  correlationId: string;
}

export type PrivilegeAnswer =
  | { kind: "privileges"; decoded: DecodedPrivileges }
  /** The service does not know the user (404, SAML UnknownPrincipal). */
  | { kind: "unknown-user" };

/** A privilege lookup that failed; `failure` is the stable code (timeout, untrusted, ...). */
export class PrivilegeSourceError extends Error {
  constructor(
    readonly failure: string,
    message: string,
  ) {
    super(message);
    this.name = "PrivilegeSourceError";
  }
}

/** One registered attribute service, as an IdP asks it. */
export interface PrivilegeService {
  displayName: string;
  unknownUser: "fail" | "no-privileges";
  /** How the service knows the target system. */
  systemIdFor(party: DownstreamParty): string;
  /** The user's identifier for this service from the login's facts, or undefined when the login carries none (or several). */
  userIdFor(person: Person, attributes: readonly RawAttribute[]): string | undefined;
  /** Which identifier it is asked by, for messages. */
  describeUserId(): string;
  /** Throws PrivilegeSourceError when the service fails. */
  lookup(query: PrivilegeQuery): Promise<PrivilegeAnswer>;
}

export interface PrivilegeSource {
  service(id: string, userIdentifier: UserIdentifierChoice): PrivilegeService | undefined;
}

/** The user store municipalities fill for the SEB profile (src/backends/user-store/). */
export interface UserRecords {
  /** The CPR number the municipality (CVR) provisioned for the first of these user ids it knows, or undefined. */
  cprFor(cvr: string, userIds: readonly string[]): Promise<string | undefined>;
}

export interface LoginPorts {
  /** Frontends by the name a LoginRequest carries in `downstream.frontend`. */
  frontends: Readonly<Record<string, Frontend>>;
  /** The upstream for a municipality's IdP (by the protocol it is registered with). */
  municipalUpstream(idp: IdentityProvider): MunicipalUpstream;
  /** Further upstream steps by the name a step asks for (`UpstreamNeeded.upstream`). */
  furtherUpstreams: Readonly<Record<string, FurtherUpstream>>;
  privileges: PrivilegeSource;
  /** The user store, when the broker runs one. */
  userRecords?: UserRecords;
}
