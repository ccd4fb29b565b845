/**
 * A rejected XML document or message. `reason` is a stable machine-readable
 * code (logged and asserted in tests); `message` is for the operator's log.
 * Protocol layers above refine it (SamlError adds the SAML status).
 */
export class XmlError extends Error {
  readonly reason: string;

  constructor(reason: string, message: string) {
    super(message);
    this.name = "XmlError";
    this.reason = reason;
  }
}
