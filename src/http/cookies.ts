/** Signed cookies (HMAC-SHA256). A tampered or truncated value reads as absent: fail closed. */
import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * `name` binds the MAC to one cookie, so a value signed for one cookie is not
 * accepted in another (the remembered municipality in the SSO cookie, say).
 */
function mac(value: string, secret: string, name: string): string {
  return createHmac("sha256", secret).update(name === "" ? value : `${name}=${value}`).digest("base64url");
}

export function signCookieValue(value: string, secret: string, name = ""): string {
  return `${value}.${mac(value, secret, name)}`;
}

export function verifyCookieValue(signed: string | undefined, secret: string, name = ""): string | undefined {
  if (!signed || signed.length > 512) return undefined;
  const dot = signed.lastIndexOf(".");
  if (dot <= 0) return undefined;
  const value = signed.slice(0, dot);
  const expected = Buffer.from(mac(value, secret, name));
  const given = Buffer.from(signed.slice(dot + 1));
  return given.length === expected.length && timingSafeEqual(given, expected) ? value : undefined;
}

export function readCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header || header.length > 8192) return out;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (out.has(name)) continue;
    try {
      out.set(name, decodeURIComponent(part.slice(eq + 1).trim()));
    } catch {
      // an undecodable cookie is ignored
    }
  }
  return out;
}
