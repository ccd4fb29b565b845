/**
 * One interface for every kind of attribute service: given who the user is
 * and which fagsystem they are going to, answer the privileges they hold
 * (OIO-BPP, decoded into the typed model, not yet scope-checked).
 */
import { PrivilegeSourceError, type PrivilegeAnswer, type PrivilegeQuery } from "../../login/ports.js";

export type { ForwardedClaim, PrivilegeAnswer, PrivilegeQuery } from "../../login/ports.js";

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

export class AttributeServiceError extends PrivilegeSourceError {
  constructor(
    override readonly failure: AttributeServiceFailure,
    message: string,
    /** For http_status: retry only server errors. */
    readonly retryable: boolean = RETRYABLE.has(failure),
  ) {
    super(failure, message);
    this.name = "AttributeServiceError";
  }
}
