/**
 * The browser's SSO session cookie: the random session id, HMAC-signed with
 * the cookie secret (shared by every instance), HttpOnly, and a browser-session
 * cookie (no expiry: closing the browser ends it; the store's TTL bounds it too).
 * SameSite=Lax: sent with a fagsystem's HTTP-Redirect AuthnRequest.
 */
import type { Request, Response } from "express";
import { readCookies, signCookieValue, verifyCookieValue } from "./cookies.js";

export const SSO_COOKIE = "broker_sso";

export function readSsoSessionId(req: Request, secret: string): string | undefined {
  return verifyCookieValue(readCookies(req.headers.cookie).get(SSO_COOKIE), secret, SSO_COOKIE);
}

export function setSsoCookie(res: Response, sessionId: string, secret: string, secure: boolean): void {
  res.cookie(SSO_COOKIE, signCookieValue(sessionId, secret, SSO_COOKIE), { httpOnly: true, sameSite: "lax", secure, path: "/" });
}
