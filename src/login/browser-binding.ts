/**
 * Binding a login step to the browser that started it: a random value kept
 * with the login in the store and set in a cookie in the browser; the next
 * step (the chooser's form, an upstream's answer) counts only when the same
 * browser presents it. Stops a form or an upstream's answer from being
 * replayed in another person's browser (login CSRF).
 */
import { randomBytes, timingSafeEqual } from "node:crypto";

/** `key` names the cookie (one per login, so logins in several tabs do not overwrite each other); `value` is the secret it holds. */
export interface BrowserBinding {
  key: string;
  value: string;
}

export type UpstreamBindingMode = "auto" | "always" | "off";

export function newBrowserBinding(): BrowserBinding {
  return { key: randomBytes(12).toString("hex"), value: randomBytes(20).toString("hex") };
}

/** Whether the browser presented the expected value (compared in constant time). */
export function bindingMatches(expected: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Whether upstream steps are bound to the browser: "auto" when the broker is
 * served over https (a cross-site answer carries only a SameSite=None cookie,
 * and browsers set those only with Secure, i.e. over https).
 */
export function upstreamBindingEnforced(mode: UpstreamBindingMode, baseUrl: string): boolean {
  return mode === "always" || (mode === "auto" && baseUrl.startsWith("https://"));
}
