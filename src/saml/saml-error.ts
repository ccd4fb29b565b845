import type { SubStatus, TopStatus } from "./namespaces.js";
import { STATUS } from "./namespaces.js";

/**
 * A rejected SAML message. `reason` is a stable machine-readable code (logged
 * and asserted in tests); `message` is for the operator's log, never for the
 * browser of an unauthenticated party beyond its reason code.
 */
export class SamlError extends Error {
  readonly reason: string;
  readonly status: TopStatus;
  readonly subStatus: SubStatus | undefined;

  constructor(reason: string, message: string, status: TopStatus = STATUS.requester, subStatus?: SubStatus) {
    super(message);
    this.name = "SamlError";
    this.reason = reason;
    this.status = status;
    this.subStatus = subStatus;
  }
}
