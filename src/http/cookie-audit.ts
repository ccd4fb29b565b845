/**
 * Signed cookies that fail their integrity check (tampered, truncated, signed
 * with another secret, or copied from another cookie) are treated as absent.
 * This logs them, so the operator sees why a browser was not recognised.
 */
import type { Logger } from "../observability/logger.js";
import { readCookies, verifyCookieValue } from "./cookies.js";

export function logInvalidCookies(log: Logger, cookieHeader: string | undefined, secret: string, names: readonly string[], correlationId: string): void {
  const cookies = readCookies(cookieHeader);
  for (const name of names) {
    const value = cookies.get(name);
    if (value !== undefined && verifyCookieValue(value, secret, name) === undefined) {
      log.warn({ correlationId, reason: "cookie_invalid", cookieName: name }, "ignoring a cookie that failed its integrity check");
    }
  }
}
