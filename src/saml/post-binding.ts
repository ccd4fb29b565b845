/** HTTP-POST binding: base64 of the XML in a form field. */
import { SamlError } from "./saml-error.js";

/** Strict base64: only the alphabet, padding and whitespace; size-limited before decoding. */
export function decodeBase64Strict(value: string, maxDecodedBytes: number): Buffer {
  const compact = value.replace(/[\r\n\t ]/g, "");
  if (compact.length === 0) throw new SamlError("binding_invalid", "message is empty");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 === 1) {
    throw new SamlError("binding_invalid", "message is not valid base64");
  }
  if ((compact.length * 3) / 4 > maxDecodedBytes + 3) throw new SamlError("message_too_large", "message is too large");
  return Buffer.from(compact, "base64");
}

export function decodePostMessage(value: unknown, maxBytes: number): string {
  if (typeof value !== "string") throw new SamlError("binding_invalid", "form field is missing or not text");
  const xml = decodeBase64Strict(value, maxBytes).toString("utf8");
  if (!xml.trimStart().startsWith("<")) throw new SamlError("binding_invalid", "message is not XML");
  return xml;
}

export function encodePostMessage(xml: string): string {
  return Buffer.from(xml, "utf8").toString("base64");
}
