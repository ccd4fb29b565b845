/**
 * The cookies binding a login at an upstream to the browser sent there
 * (src/login/browser-binding.ts): one per login, named by its key, so two
 * logins in two tabs of one browser each keep their own. Over https they are
 * SameSite=None; Secure, since the answer comes back as a cross-site POST (a
 * SAML Response, an OIDC form_post); over plain http browsers refuse
 * SameSite=None, so they are Lax (which reaches the broker only from the
 * same site, as in a local demo).
 */
import type { Request, Response } from "express";
import type { UpstreamBinding } from "../model/interaction.js";
import type { PresentedBindings } from "../login/login-service.js";
import { readCookies } from "./cookies.js";

export const UPSTREAM_BINDING_COOKIE_PREFIX = "broker_upbind_";

export function setBindingCookie(res: Response, bind: UpstreamBinding, secure: boolean, maxAgeSeconds: number): void {
  res.cookie(`${UPSTREAM_BINDING_COOKIE_PREFIX}${bind.key}`, bind.value, {
    httpOnly: true,
    secure,
    sameSite: secure ? "none" : "lax",
    path: bind.answerPath,
    maxAge: maxAgeSeconds * 1000,
  });
}

/** The binding cookies the browser sent, by key. */
export function presentedBindings(req: Request): PresentedBindings {
  const cookies = readCookies(req.headers.cookie);
  return (key) => cookies.get(`${UPSTREAM_BINDING_COOKIE_PREFIX}${key}`);
}

/** The answer used the binding: its cookie goes. */
export function releaseBindingCookie(res: Response, key: string, answerUrl: string, secure: boolean): void {
  res.cookie(`${UPSTREAM_BINDING_COOKIE_PREFIX}${key}`, "", { httpOnly: true, secure, sameSite: secure ? "none" : "lax", path: new URL(answerUrl).pathname, maxAge: 0 });
}
