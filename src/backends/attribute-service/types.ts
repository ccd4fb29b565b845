/**
 * One interface for every kind of attribute service: given who the user is
 * and which fagsystem they are going to, answer the privileges they hold
 * (OIO-BPP, decoded into the typed model, not yet scope-checked).
 */
import type { DecodedPrivileges } from "../../profiles/bpp-codec.js";

/** A claim from the IdP passed along to the service (Entra ID groups, app roles). */
export interface ForwardedClaim {
  /** The attribute name in the IdP's assertion (AttributeQuery sends it so). */
  attribute: string;
  /** The REST query parameter it travels as. */
  parameter: string;
  values: string[];
}

export interface PrivilegeQuery {
  /** The identifier the service knows the user by (NameID, Serial, UUID, UPN, ...). */
  userId: string;
  /** The user's NameID and its format as the IdP sent them (AttributeQuery's Subject). */
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

export interface PrivilegeResolver {
  readonly serviceId: string;
  resolve(query: PrivilegeQuery): Promise<PrivilegeAnswer>;
}

export type AttributeServiceFailure =
  /** No answer in time. */
  | "timeout"
  /** Connection refused, reset, TLS failure. */
  | "unreachable"
  /** An HTTP status other than success or "user unknown". */
  | "http_status"
  /** Too large, not JSON/XML, wrong shape, unreadable OIO-BPP. */
  | "malformed"
  /** Signature, issuer, audience, subject or time checks of a SAML answer failed. */
  | "untrusted"
  /** The answer is about another user or organisation. */
  | "wrong_subject"
  /** The service's configuration cannot be used (missing key, metadata, environment variable). */
  | "misconfigured";

/** Transient failures are retried (bounded); the rest fail at once. */
export const RETRYABLE: ReadonlySet<AttributeServiceFailure> = new Set(["timeout", "unreachable", "http_status"]);

export class AttributeServiceError extends Error {
  constructor(
    readonly failure: AttributeServiceFailure,
    message: string,
    /** For http_status: retry only server errors. */
    readonly retryable: boolean = RETRYABLE.has(failure),
  ) {
    super(message);
    this.name = "AttributeServiceError";
  }
}
