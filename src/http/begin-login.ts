/**
 * Starting a login from any frontend's route: the remembered municipality
 * and the SSO session from the browser's cookies, the core's begin, and the
 * municipality remembered for next time. One place, so SAML and OIDC logins
 * start alike.
 */
import type { Request, Response } from "express";
import type { BrokerContext } from "../broker-context.js";
import type { LoginService } from "../login/login-service.js";
import type { LoginRequest } from "../model/login-request.js";
import { logInvalidCookies } from "./cookie-audit.js";
import { readCookies, signCookieValue, verifyCookieValue } from "./cookies.js";
import { sendInteraction, type InteractionPageOptions } from "./respond.js";
import { readSsoSessionId, SSO_COOKIE } from "./sso-cookie.js";

export const MUNICIPALITY_COOKIE = "broker_municipality";

export interface LoginStarter {
  begin(req: Request, res: Response, request: LoginRequest): Promise<void>;
  rememberMunicipality(res: Response, idpId: string): void;
}

export function loginStarter(broker: BrokerContext, logins: LoginService, pageOptions: () => InteractionPageOptions): LoginStarter {
  const rememberMunicipality = (res: Response, idpId: string) => {
    const days = broker.config.timing.municipalityCookieDays;
    if (days === 0) return;
    res.cookie(MUNICIPALITY_COOKIE, signCookieValue(idpId, broker.cookieSecret, MUNICIPALITY_COOKIE), {
      httpOnly: true,
      sameSite: "lax",
      secure: pageOptions().secureCookies,
      path: "/",
      maxAge: days * 86_400_000,
    });
  };
  return {
    rememberMunicipality,
    async begin(req, res, request) {
      logInvalidCookies(broker.log, req.headers.cookie, broker.cookieSecret, [MUNICIPALITY_COOKIE, SSO_COOKIE], request.correlationId);
      const remembered = verifyCookieValue(readCookies(req.headers.cookie).get(MUNICIPALITY_COOKIE), broker.cookieSecret, MUNICIPALITY_COOKIE);
      const outcome = await logins.begin({ ...request, clientAddress: req.socket.remoteAddress }, remembered, readSsoSessionId(req, broker.cookieSecret));
      if (outcome.chosenIdp) rememberMunicipality(res, outcome.chosenIdp.id);
      sendInteraction(res, outcome.interaction, pageOptions());
    },
  };
}
