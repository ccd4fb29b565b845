/** SAML timestamps: xs:dateTime in UTC, compared with a clock skew. */
import { SamlError } from "./saml-error.js";

export function samlInstant(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function parseInstant(value: string | null, what: string): number {
  if (!value) throw new SamlError("time_missing", `${what} is missing`);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    throw new SamlError("time_invalid", `${what} is not an xs:dateTime`);
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new SamlError("time_invalid", `${what} is not a valid time`);
  return ms;
}
