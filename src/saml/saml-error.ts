import type { SubStatus, TopStatus } from "./namespaces.js";
import { STATUS } from "./namespaces.js";
import { XmlError } from "../xml/xml-error.js";

/**
 * A rejected SAML message. `reason` is a stable machine-readable code (logged
 * and asserted in tests); `message` is for the operator's log, never for the
 * browser of an unauthenticated party beyond its reason code.
 */
export class SamlError extends XmlError {
  readonly status: TopStatus;
  readonly subStatus: SubStatus | undefined;

  constructor(reason: string, message: string, status: TopStatus = STATUS.requester, subStatus?: SubStatus) {
    super(reason, message);
    this.name = "SamlError";
    this.status = status;
    this.subStatus = subStatus;
  }
}

/** A SamlError for any rejected XML (the XML layer's errors carry no SAML status: Requester, as before). */
export function asSamlError(error: XmlError): SamlError {
  return error instanceof SamlError ? error : new SamlError(error.reason, error.message);
}
